// The engine's lanes as the tests name them (rush/lanes.ts).
export * from '../../rush/lanes.js';
