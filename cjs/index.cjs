// `require('mailjet-webhook-simulator')`. The package is an ES module. Node.js 20.19+ and 22.12+ can
// require() an ES module, so this hands it over; older versions get a clear message instead of
// ERR_REQUIRE_ESM.
'use strict';

try {
  module.exports = require('../dist/index.js');
} catch (error) {
  if (error && (error.code === 'ERR_REQUIRE_ESM' || error.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
    throw new Error(
      'mailjet-webhook-simulator is an ES module, and this Node.js (' + process.version + ') cannot require() it. ' +
        'Node.js 20.19+ and 22.12+ can (unless started with --no-experimental-require-module); otherwise load it with ' +
        "`const { createSimulator } = await import('mailjet-webhook-simulator')`.",
      { cause: error },
    );
  }
  throw error;
}
