export * from './aspect';
export * from './provider';
export * from './proxy';
