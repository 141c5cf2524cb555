// Run by `npm install` when node-gyp could not build the addon: one line, and success, so that
// the install goes on and the reference backend (plain TypeScript) is used instead.
console.warn('overparam: native addon not built (see the node-gyp output above); the reference backend will be used');
