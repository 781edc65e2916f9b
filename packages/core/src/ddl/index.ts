/**
 * Agent DDLs: loading and validating DDL files (Choria's JSON format, or YAML
 * of the same shape), finding them on disk, validating and coercing request
 * inputs, output defaults and TypeScript type generation.
 */
export { parseDdl, loadDdlFile } from './load.js';
export { findAction } from './find.js';
export { validateInputs, inputSchema } from './validate.js';
export { coerceInputs } from './coerce.js';
export { foldExtraInputs } from './extra-inputs.js';
export { outputDefaults } from './defaults.js';
export { generateAgentTypes, pascalCase, type AgentTypesOptions } from './typegen.js';
export { builtinDdlDir, ddlSchemaFile } from './paths.js';
export { locateDdl, createDdlResolver, ddlExtensions, type DdlResolver } from './locate.js';
export { translateRegex, compileValidation, namedValidators, type StringCheck, type TranslatedRegex } from './regex.js';
