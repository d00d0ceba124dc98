#!/usr/bin/env node
// The `textport-phone` command. The code is compiled to dist/; this file exists before the
// build so that npm links the command when the package is installed in a workspace.
import '../dist/cli.js';
