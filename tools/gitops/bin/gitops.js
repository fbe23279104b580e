#!/usr/bin/env node
import module from 'node:module';

// V8's compiled code of the tool's modules, kept between runs (Node.js 22.1 and later): a
// command starts without compiling its modules again. Node keys it by its version and each
// module's content; NODE_COMPILE_CACHE or NODE_DISABLE_COMPILE_CACHE still decide.
module.enableCompileCache?.();
const { main } = await import('../dist/main.js');

process.exitCode = await main(process.argv.slice(2));
