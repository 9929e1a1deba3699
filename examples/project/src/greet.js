'use strict';

/**
 * Build a greeting for `name`.
 *
 * @param {string} name - who to greet; surrounding whitespace is ignored
 * @param {{ excited?: boolean }} [options]
 * @returns {string}
 */
function greet(name, options = {}) {
  const who = typeof name === 'string' ? name.trim() : '';
  const greeting = `Hello, ${who || 'world'}`;
  return options.excited ? `${greeting}!` : `${greeting}.`;
}

module.exports = { greet };
