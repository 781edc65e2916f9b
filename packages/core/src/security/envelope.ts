import type { KeyObject } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { decode, decodeReplyText, decodeRequestText, encode, type DecodeOptions } from '../protocol/codec.js';
import {
  ProtocolTag,
  type CertificateDocument,
  type ReplyMessage,
  type RequestMessage,
  type SecureReplyMessage,
  type SecureRequestMessage,
} from '../protocol/types.js';
import { publicKeyHex } from './keys.js';
import { signText, verifyText } from './signing.js';
import type { TrustedSigner, TrustStore } from './trust.js';

/**
 * Signed envelopes. The signature covers the exact JSON text of the inner
 * message, carried as a string, so the receiver verifies the very bytes that
 * were signed and then parses them: nothing is canonicalised and no field
 * (time, ttl, filter, agent, action, data, reply_to...) can change unnoticed.
 */

/** Signs on behalf of one caller (requests) or one node (replies). */
export interface Signer {
  /** The caller id or node identity the key is bound to. */
  readonly subject: string;
  /** Public key, hex. */
  readonly publicKey: string;
  /** Issuer-signed certificate for the key, sent along when present. */
  readonly certificate: CertificateDocument | undefined;
  /** Ed25519 signature of `text`, hex. */
  sign(text: string): string;
}

/** A Signer for a private key bound to `subject`. */
export function createSigner(privateKey: KeyObject, subject: string, certificate?: CertificateDocument): Signer {
  return { subject, publicKey: publicKeyHex(privateKey), certificate, sign: (text) => signText(privateKey, text) };
}

/** Wrap a request in a `cohort:secure-request:1` envelope signed by `signer`. */
export function sealRequest(request: RequestMessage, signer: Signer): SecureRequestMessage {
  const text = JSON.stringify(request);
  const sealed: SecureRequestMessage = { protocol: ProtocolTag.SecureRequest, request: text, signature: signer.sign(text), public_key: signer.publicKey };
  if (signer.certificate) sealed.certificate = signer.certificate;
  return sealed;
}

/** Bytes for the bus: the request signed when a signer is given, plain otherwise. */
export function encodeRequest(request: RequestMessage, signer: Signer | undefined): Uint8Array {
  return encode(signer ? sealRequest(request, signer) : request);
}

/** Wrap a reply in a `cohort:secure-reply:1` envelope signed by the node. */
export function sealReply(reply: ReplyMessage, signer: Signer): SecureReplyMessage {
  const text = JSON.stringify(reply);
  const sealed: SecureReplyMessage = { protocol: ProtocolTag.SecureReply, reply: text, signature: signer.sign(text), public_key: signer.publicKey };
  if (signer.certificate) sealed.certificate = signer.certificate;
  return sealed;
}

const utf8 = new TextEncoder();
/** Per signer, the end of its reply envelopes' JSON text: `"public_key":...,"certificate":...}`. */
const envelopeTails = new WeakMap<Signer, string>();

/**
 * The bytes of `encode(sealReply(reply, signer))`, the same to the byte, made
 * without building the envelope object or serialising the signer's key and
 * certificate for every reply (a node signs every reply it sends; the
 * certificate is most of the envelope's fields). A Signer's key and
 * certificate are fixed (readonly): a new key or certificate is a new Signer.
 */
export function encodeSealedReply(reply: ReplyMessage, signer: Signer): Uint8Array {
  const text = JSON.stringify(reply);
  const signature = signer.sign(text);
  let tail = envelopeTails.get(signer);
  if (tail === undefined) {
    tail = `"public_key":${JSON.stringify(signer.publicKey)}${signer.certificate ? `,"certificate":${JSON.stringify(signer.certificate)}` : ''}}`;
    envelopeTails.set(signer, tail);
  }
  // The key order of sealReply's object: protocol, reply, signature, public_key, certificate.
  return utf8.encode(`{"protocol":${JSON.stringify(ProtocolTag.SecureReply)},"reply":${JSON.stringify(text)},"signature":${JSON.stringify(signature)},${tail}`);
}

/** A decoded request and, when it came signed, its envelope (not yet verified). */
export interface OpenedRequest {
  readonly request: RequestMessage;
  readonly envelope: SecureRequestMessage | undefined;
}

/** A decoded reply and, when it came signed, its envelope (not yet verified). */
export interface OpenedReply {
  readonly reply: ReplyMessage;
  readonly envelope: SecureReplyMessage | undefined;
}

/** Decode a plain or signed request (schema-checked, signature NOT checked). Throws ProtocolError. */
export function openRequest(bytes: Uint8Array, options?: DecodeOptions): OpenedRequest {
  const m = decode(bytes, options);
  if (m.protocol === ProtocolTag.Request) return { request: m, envelope: undefined };
  if (m.protocol === ProtocolTag.SecureRequest) return { request: decodeRequestText(m.request), envelope: m };
  throw new ProtocolError(`expected a request, got ${m.protocol}`);
}

/** Decode a plain or signed reply (schema-checked, signature NOT checked). Throws ProtocolError. */
export function openReply(bytes: Uint8Array, options?: DecodeOptions): OpenedReply {
  const m = decode(bytes, options);
  if (m.protocol === ProtocolTag.Reply) return { reply: m, envelope: undefined };
  if (m.protocol === ProtocolTag.SecureReply) return { reply: decodeReplyText(m.reply), envelope: m };
  throw new ProtocolError(`expected a reply, got ${m.protocol}`);
}

/**
 * Verify a signed request: the signer must be trusted (key file or issuer
 * certificate), the signature must cover the request text, and the request's
 * callerid must be the one the key is bound to. Returns the signer, or the
 * reason the request must be refused.
 */
export function verifyRequest(opened: OpenedRequest, trust: TrustStore, now: number): TrustedSigner | string {
  const { envelope, request } = opened;
  if (!envelope) return 'the request is not signed';
  return verifySigned(envelope.public_key, envelope.certificate, envelope.request, envelope.signature, request.callerid, 'callerid', trust, now);
}

/** Verify a signed reply: trusted node key, valid signature, and `sender` is the identity the key is bound to. */
export function verifyReply(opened: OpenedReply, trust: TrustStore, now: number): TrustedSigner | string {
  const { envelope, reply } = opened;
  if (!envelope) return 'the reply is not signed';
  return verifySigned(envelope.public_key, envelope.certificate, envelope.reply, envelope.signature, reply.sender, 'sender', trust, now);
}

function verifySigned(
  publicKey: string,
  certificate: CertificateDocument | undefined,
  text: string,
  signature: string,
  claimed: string,
  field: string,
  trust: TrustStore,
  now: number,
): TrustedSigner | string {
  // Trust first: an unknown key is refused without spending a signature check.
  const signer = trust.identify(publicKey, certificate, now);
  if (typeof signer === 'string') return signer;
  if (!verifyText(publicKey, text, signature)) return `the signature does not verify (forged, or changed after signing) for key of ${signer.subject}`;
  if (signer.subject !== claimed) return `${field} '${claimed}' is not the one the signing key is bound to ('${signer.subject}')`;
  return signer;
}
