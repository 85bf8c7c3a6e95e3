#!/usr/bin/env node
// Orchestra's collision guard, a Claude Code PreToolUse command hook, for a project that uses it
// without the plugin (`node node_modules/orchestra/bin/orchestra-guard.cjs`). CommonJS and one
// file on purpose: it runs before every write tool call (see plugin/scripts/guard.cjs).
'use strict';

require('../plugin/scripts/guard.cjs').main();
