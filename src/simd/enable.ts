/**
 * `enableSimd`: the embedded WebAssembly module (src/simd/modules.ts, generated from the .wat
 * sources by scripts/build-wasm.mjs) and its decoding. Apart from src/simd/runtime.ts so that
 * a bundle that never calls enableSimd does not carry the module's bytes.
 */
import { SIMD_MODULE_BASE64 } from "./modules";
import { startSimd } from "./runtime";

/** Decodes base64 without atob/Buffer, so that any engine with WebAssembly can load the module. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const value = new Uint8Array(128);
  for (let i = 0; i < 64; i++) value[alphabet.charCodeAt(i)] = i;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  for (let i = 0, j = 0; i < text.length; i += 4) {
    const bits = (value[text.charCodeAt(i)]! << 18) | (value[text.charCodeAt(i + 1)]! << 12) | (value[text.charCodeAt(i + 2)]! << 6) | value[text.charCodeAt(i + 3)]!;
    bytes[j++] = bits >> 16;
    if (j < bytes.length) bytes[j++] = (bits >> 8) & 255;
    if (j < bytes.length) bytes[j++] = bits & 255;
  }
  return bytes;
}

/**
 * Turns the WebAssembly SIMD kernels on: compiles and instantiates the embedded module
 * asynchronously (once; later calls reuse the compiled module).
 *
 * Resolves `true` when the kernels are active, `false` when this engine cannot run them (then
 * {@link simdStatus} says why, and the JavaScript kernels keep running). Never rejects.
 * Concurrent calls share one compilation.
 *
 * @example
 * await enableSimd() // true  (Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+; false where unavailable)
 * simdStatus().state // "active"
 */
export function enableSimd(): Promise<boolean> {
  return startSimd(() => decodeBase64(SIMD_MODULE_BASE64));
}
