// Runtime: any (pure core). The national directory: extraction parsing, index, search, "did you mean".
export * from './text';
export * from './extraction';
export * from './directory-index';
export * from './mapping';
export * from './suggest';
export * from './utf8';
export * from './json-bytes';
