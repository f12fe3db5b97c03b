/**
 * Reading JSON of unknown shape (YAML someone wrote, or a chart's output) into typed views: the
 * one boundary where untyped data becomes typed. Every value a view holds was checked by a
 * reader, so the tools work on honest types, without `any` and without casts.
 *
 * The readers are as lenient as the tools always were: where text is expected, a number or
 * boolean is read as its text (`1` → `"1"`, as `String(x)` did); where a number is expected, a
 * numeric string is read as the number (as `Number(x)` did). A value of another kind is left
 * out, as if absent: the API server would have refused it.
 */

/** A JSON object of unknown content. */
export type JsonObject = Record<string, unknown>;

/** Reads a value into `T`, or returns undefined when the value does not have that shape. */
export type Reader<T> = (value: unknown) => T | undefined;

/** Some fields of a generated type, each optional: YAML may leave out what the schema requires. */
export type Some<T, K extends keyof T> = { readonly [P in K]?: T[P] };

/** A reader for every field of a view: a view never declares a field nobody reads. */
export type Fields<T> = { readonly [K in keyof T]-?: Reader<NonNullable<T[K]>> };

type Draft<T> = { -readonly [K in keyof T]?: T[K] };

/** Whether a value is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of `key` in a JSON object, or undefined for anything else. */
export function field(value: unknown, key: string): unknown {
  return isJsonObject(value) ? value[key] : undefined;
}

/** The elements of a JSON array, or none for anything else. */
export function items(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Text: a string, or a number or boolean as its text. */
export const str: Reader<string> = (v) =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** A number, or a string that is one. */
export const num: Reader<number> = (v) => {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isNaN(n) ? undefined : n;
};

/** A boolean (no truthiness: `"false"` is not one). */
export const bool: Reader<boolean> = (v) => (typeof v === 'boolean' ? v : undefined);

/** One of the given strings (the values of a generated enum, for example). */
export function oneOf<E extends string>(values: readonly E[]): Reader<E> {
  const isOne = (v: unknown): v is E => values.some((x) => x === v);
  return (v) => (isOne(v) ? v : undefined);
}

/** A list; an element the item reader refuses becomes `fill` when given (indices stay), else is left out. */
export function listOf<T>(item: Reader<T>, fill?: T): Reader<T[]> {
  return (v) => {
    if (!Array.isArray(v)) return undefined;
    const out: T[] = [];
    for (const x of v) {
      const read = item(x) ?? fill;
      if (read !== undefined) out.push(read);
    }
    return out;
  };
}

/** A map with string keys; a value the reader refuses becomes `fill` when given, else is left out. */
export function mapOf<T>(value: Reader<T>, fill?: T): Reader<Record<string, T>> {
  return (v) => {
    if (!isJsonObject(v)) return undefined;
    const entries: Array<[string, T]> = [];
    for (const [k, x] of Object.entries(v)) {
      const read = value(x) ?? fill;
      if (read !== undefined) entries.push([k, read]);
    }
    // fromEntries defines own properties: a key such as `__proto__` stays a plain key.
    return Object.fromEntries(entries);
  };
}

/**
 * An object with the listed fields, each read by its reader; other fields are dropped. Fields
 * keep the order they have in the input, so printing a view prints what the input said.
 */
export function record<T extends object>(fields: Fields<T>): Reader<Partial<T>> {
  return (v) => {
    if (!isJsonObject(v)) return undefined;
    const out: Draft<T> = {};
    for (const [key, raw] of Object.entries(v)) {
      if (!isFieldOf(fields, key)) continue;
      const read = fields[key](raw);
      if (read !== undefined) out[key] = read;
    }
    return out;
  };
}

function isFieldOf<T extends object>(fields: Fields<T>, key: string): key is Extract<keyof T, string> {
  return Object.prototype.hasOwnProperty.call(fields, key);
}

/**
 * `read`, except that a truthy value of the wrong kind reads as `fallback` and a falsy one as
 * absent: the reading of code that tested a field with `if (x)` and then looked inside it.
 */
export function presentOr<T>(read: Reader<T>, fallback: T): Reader<T> {
  return (v) => (v ? read(v) ?? fallback : undefined);
}
