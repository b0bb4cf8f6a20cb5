// Runtime: Node (jest global teardown). Stops the operator stand-in unless MSS_STANDIN_KEEP=1 (faster local re-runs).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  if (process.env.MSS_STANDIN_KEEP === '1') return;
  execFileSync('bash', [path.resolve(__dirname, '../../.ci/operator-stand-in.sh'), 'stop'], { stdio: 'inherit' });
};
