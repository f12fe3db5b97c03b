/**
 * The one shape of "something is wrong" in the library: where (a construct path), which prop,
 * what is wrong, and how to fix it. Constructs collect every problem of their props and throw
 * them together as one {@link GrayReleaseError}; synth-time validations report the same shape.
 */

/** One problem with the input. */
export interface Problem {
  /** Construct path (`chart/service`), or `<root>`. */
  readonly path: string;
  /** The prop (or method argument) at fault, e.g. `release.steps` or `addMember`. */
  readonly prop: string;
  /** What is wrong, in a sentence without a final period. */
  readonly what: string;
  /** What to do instead. */
  readonly fix: string;
}

/** `prop: what. Fix: fix`, the text cdk8s prints after the construct path of a validation. */
export function problemText(p: Omit<Problem, 'path'>): string {
  return `${p.prop}: ${p.what}. Fix: ${p.fix}`;
}

/** `[path] prop: what. Fix: fix`. */
export function formatProblem(p: Problem): string {
  return `[${p.path}] ${problemText(p)}`;
}

/**
 * The error every construct throws for bad input. It carries every problem found in one
 * construct's input, one per line; `path`, `prop`, `what` and `fix` are those of the first.
 * Nothing is synthesized after one is thrown.
 */
export class GrayReleaseError extends Error {
  /** Every problem found, in the order the checks ran. */
  public readonly problems: readonly Problem[];
  /** Construct path of the first problem. */
  public readonly path: string;
  /** Prop of the first problem. */
  public readonly prop: string;
  /** What is wrong, for the first problem. */
  public readonly what: string;
  /** The fix of the first problem. */
  public readonly fix: string;

  public constructor(problems: readonly Problem[]) {
    if (problems.length === 0) throw new Error('internal error: a GrayReleaseError needs at least one problem');
    super(problems.map(formatProblem).join('\n'));
    this.name = 'GrayReleaseError';
    this.problems = [...problems];
    [{ path: this.path, prop: this.prop, what: this.what, fix: this.fix }] = problems;
  }
}

/**
 * Collects the problems of one construct's input, so that all of them are reported together.
 * Checks add to it; {@link throwIfAny} (or {@link fail}) ends the construction.
 */
export class Problems {
  private readonly found: Problem[] = [];

  /** @param path the construct path every problem is reported at */
  public constructor(public readonly path: string) {}

  /** Records a problem. Returns false, so a check can `return problems.add(...)`. */
  public add(prop: string, what: string, fix: string): false {
    this.found.push({ path: this.path, prop, what, fix });
    return false;
  }

  /** Records a problem and throws every problem found so far. */
  public fail(prop: string, what: string, fix: string): never {
    this.add(prop, what, fix);
    return this.throwAll();
  }

  /** Records the problems of a model check (which knows no construct path). */
  public addAll(problems: readonly ModelProblem[]): void {
    for (const p of problems) this.add(p.prop, p.what, p.fix);
  }

  /** The problems found so far. */
  public get list(): readonly Problem[] {
    return [...this.found];
  }

  /** Whether no problem was found. */
  public get ok(): boolean {
    return this.found.length === 0;
  }

  /** Throws a {@link GrayReleaseError} with every problem found, if any. */
  public throwIfAny(): void {
    if (this.found.length > 0) this.throwAll();
  }

  private throwAll(): never {
    throw new GrayReleaseError(this.found);
  }
}

/** A problem without a path: what a model check returns (the construct adds where). */
export type ModelProblem = Omit<Problem, 'path'>;

/** A {@link ModelProblem}: the prop, what is wrong, and the fix. */
export function problem(prop: string, what: string, fix: string): ModelProblem {
  return { prop, what, fix };
}

/** Throws one problem at `path` (for methods that check a single argument). */
export function fail(path: string, prop: string, what: string, fix: string): never {
  return new Problems(path).fail(prop, what, fix);
}
