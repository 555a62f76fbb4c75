/**
 * Machine host keys and host key documents (spec ultravisor.md §5, §7.2): the P-521 key pair the
 * emulated UV uses to open SE headers, its X.509 host key document, and the key file format.
 */
export { P521_POINT_SIZE, P521_SIZE, SE_COORD_SIZE, HostKeyError, ecdhSharedX, ecdhSharedXNoble, generateHostKeyPair, hostKeyHash, hostKeyPairFromPrivate, normalizePublicKey, paddedCoordinates, type HostKeyPair } from './host-key.js';
export { DEFAULT_HOST_KEY_SUBJECT, createHostKeyDocument, hostKeyDocumentToPem, isSelfSignedHostKeyDocument, parseHostKeyDocument, type HostKeyDocument, type HostKeyDocumentOptions, type NameAttributes } from './certificate.js';
export { decodeHostPrivateKeyPem, encodeHostPrivateKeyPem } from './private-key.js';
export { DerError } from './asn1.js';
