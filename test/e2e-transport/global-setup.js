// Runtime: Node (jest global setup). Starts the operator stand-in (idempotent) and exports its MSS_STANDIN_* lines
// into process.env, which the test files (run afterwards, in band) read.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  const script = path.resolve(__dirname, '../../.ci/operator-stand-in.sh');
  const out = execFileSync('bash', [script, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600000 });
  for (const line of out.split('\n')) {
    const m = /^(MSS_STANDIN_[A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) process.env[m[1]] = m[2];
  }
  if (!process.env.MSS_STANDIN_SMTP_PORT) throw new Error('operator stand-in did not start: ' + out);
};
