export const REQUIRED_OPTIONS: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
export function requiredOptions(cls: Function): Record<string, unknown>;
export function lossByName(lib: any, name: string): import("../../src/index").Loss;
