import { Transform } from 'class-transformer';
import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { displayNameProblem, normalizeDisplayName } from './display-name.js';
import { canonicalLanguage } from './language.js';

/** The largest integer a seq, a limit or a count may be: PostgreSQL's `integer`. */
export const MAX_INT = 2_147_483_647;

/** How deep a JSON body or socket payload may nest; real ones are 3 or 4 deep. */
export const MAX_JSON_DEPTH = 32;

// NUL, bell, escape and the other C0/C1 controls; multi-line text keeps tab and line breaks.
const CONTROL_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Refuses control characters (NUL included: PostgreSQL cannot store it) with a clear message. */
export function NoControlCharacters(field: string, options: { multiline: boolean }, validation?: ValidationOptions) {
  const pattern = options.multiline ? CONTROL_MULTILINE : CONTROL_ONE_LINE;
  return ValidateBy(
    {
      name: 'noControlCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !pattern.test(value),
        defaultMessage: () =>
          `${field} must not contain control characters${options.multiline ? ' (other than tabs and line breaks)' : ' or line breaks'}`,
      },
    },
    validation,
  );
}

/** How deeply a parsed value nests (iteratively: a hostile payload cannot overflow the stack here). */
export function valueDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Optional, but never null: for a field that cannot be cleared. class-validator's IsOptional
 * lets null through, and a null there would reach a NOT NULL column (a 500, found by fast-check).
 */
export const OptionalNotNull = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** A display name, normalized (NFKC, one kind of space) and then checked: one line, nothing invisible, no brackets. */
export const DisplayName = () => (target: object, property: string) => {
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeDisplayName(value) : value))(
    target,
    property,
  );
  ValidateBy({
    name: 'isDisplayName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && displayNameProblem(value) === null,
      defaultMessage: (args) =>
        (typeof args?.value === 'string' ? displayNameProblem(args.value) : null) ?? 'display_name must be a string',
    },
  })(target, property);
};

/** A language tag (BCP 47, e.g. es or ar) or null, made canonical: anything else is a clear bad_request. */
export const LanguageTag = (field: string) => (target: object, property: string) => {
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (canonicalLanguage(value.trim()) ?? value) : value,
  )(target, property);
  ValidateBy({
    name: 'isLanguageTag',
    validator: {
      validate: (value: unknown) => value === null || value === undefined || canonicalLanguage(value) === value,
      defaultMessage: () => `${field} must be a language tag such as en, es or ar`,
    },
  })(target, property);
};
