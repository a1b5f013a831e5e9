#!/usr/bin/env node
// The `kosmos-idv` command: runs the compiled CLI (`npm run build:npm` produces dist/).
import '../dist/cli/main.js';
