// Entry of dist/recheck.cjs (scripts/build.mjs): recheck with its pure JavaScript engine.
// Its synchronous check runs in this thread: the default would start a worker from a file
// inside the recheck package, which the bundle does not have.
'use strict';
if (!process.env.RECHECK_SYNC_BACKEND) process.env.RECHECK_SYNC_BACKEND = 'pure';
module.exports = require('recheck');
