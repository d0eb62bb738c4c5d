/**
 * A codec turns user values into the bytes kvgit stores and back. Encoding must be
 * deterministic: the same value gives the same bytes in every process, so equal values
 * are stored once and "changed" can mean "different bytes" (SPEC §5.2).
 */
export interface Codec {
  readonly name: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
  /**
   * Optional: true when `decode(bytes)` is certain to give a JSON-like value (plain objects,
   * arrays and primitives, no shared or cyclic references). Lets a store share and freeze
   * the value without inspecting it first.
   */
  decodesPlain?(bytes: Uint8Array): boolean;
}
