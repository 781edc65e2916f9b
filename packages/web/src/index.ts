/** The web console (issue 20): the HTTP API in this directory, the page in ../ui. */
export {};
