/** Compiles src/crypto/whiten.wat with wabt; the module's bytes. */
export function compileWhiten(): Promise<Uint8Array>;
/** The text of src/crypto/whiten-wasm.ts for these bytes. */
export function generatedSource(bytes: Uint8Array): string;
