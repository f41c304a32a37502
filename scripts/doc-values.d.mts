// Types of scripts/doc-values.mjs, for test/doc-examples.test.ts.
export interface ExpectedNumber {
  value: number | boolean | string;
  tol: number;
  token: string;
}
export type ExpectedValue = ExpectedNumber | ExpectedValue[];
export function parseExpected(comment: string): { text: string; value: ExpectedValue } | null;
export function plainValue(x: unknown): unknown;
export function compareValue(actual: unknown, expected: ExpectedValue, path?: string): string | null;
export function splitComment(line: string): { code: string; comment: string | null };
export function instrument(lines: string[], where: (lineIndex: number) => string): { code: string; checks: number };
export function check(actual: unknown, expectedText: string, where: string): void;
