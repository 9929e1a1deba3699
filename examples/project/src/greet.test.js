'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { greet } = require('./greet');

test('greets by name', () => {
  assert.equal(greet('Ada'), 'Hello, Ada.');
});

test('trims whitespace', () => {
  assert.equal(greet('  Grace  '), 'Hello, Grace.');
});

test('falls back to "world" for an empty or missing name', () => {
  assert.equal(greet(''), 'Hello, world.');
  assert.equal(greet(), 'Hello, world.');
});

test('can be excited', () => {
  assert.equal(greet('Linus', { excited: true }), 'Hello, Linus!');
});
