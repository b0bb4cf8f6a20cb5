// Builds the add-in into dist/ (served by the connector at /):
//  (a) "web": the task pane (React + Fluent), the harness page and the fake Office host, and their HTML pages;
//  (b) "launchevent": the Smart Alerts handler as ONE standalone classic script, dist/launchevent.js, for classic
//      Outlook's JavaScript-only runtime (OUTLOOK.md §1.7: no imports, no dev-server client, ES2016).
// `npm run build:web` = webpack --mode development; `npm run build` uses --mode production.
const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyWebpackPlugin = require('copy-webpack-plugin');

const DIST = path.resolve(__dirname, 'dist');

// office.js is self-hosted by the connector (/office-js/office.js, from node_modules/@microsoft/office-js/dist), so the
// add-in works offline and on closed networks. A Marketplace (AppSource) build must load it from the Microsoft CDN
// instead: https://appsforoffice.microsoft.com/lib/1/hosted/office.js (store validation requires it).
const OFFICE_JS = '/office-js/office.js';
const FAKE_OFFICE_JS = '/fake-office.js';
const LAUNCHEVENT_JS = '/launchevent.js';

/** A minimal HTML page: French, viewport, optional head scripts (loaded in order, before the bundles). */
function page({ title, headScripts = [], bodyScripts = [], root = true }) {
  const scripts = (list) => list.map((src) => `<script src="${src}"></script>`).join('\n    ');
  return `<!doctype html>
<html lang="fr">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta http-equiv="X-UA-Compatible" content="IE=Edge" />
    <title>${title}</title>
    ${scripts(headScripts)}
  </head>
  <body style="margin:0">
    ${root ? '<div id="root"></div>' : ''}
    ${scripts(bodyScripts)}
  </body>
</html>
`;
}

/** HTML page plugin: `chunks` injected at the end of <body>, in the given order. */
function html(filename, { chunks = [], ...opts }) {
  return new HtmlWebpackPlugin({
    filename,
    templateContent: page(opts),
    chunks,
    chunksSortMode: 'manual',
    inject: chunks.length > 0 ? 'body' : false,
    scriptLoading: 'blocking',
    minify: false,
  });
}

/** Fails the build when the launch-event file contains module syntax or async functions (OUTLOOK.md §1.7, §9). */
class ClassicScriptCheckPlugin {
  apply(compiler) {
    const { Compilation, WebpackError } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('ClassicScriptCheckPlugin', (compilation) => {
      // REPORT: after minification, on the exact bytes that will be written.
      compilation.hooks.processAssets.tap({ name: 'ClassicScriptCheckPlugin', stage: Compilation.PROCESS_ASSETS_STAGE_REPORT }, (assets) => {
        for (const [name, asset] of Object.entries(assets)) {
          if (!name.endsWith('.js')) continue;
          const problems = classicScriptProblems(asset.source().toString());
          if (problems.length > 0) {
            compilation.errors.push(new WebpackError(`${name} n'est pas un script classique ES2016 : ${problems.join(', ')}`));
          }
        }
      });
    });
  }
}

/**
 * Problems that keep a file from running in classic Outlook's JavaScript-only runtime before Version 2403
 * (OUTLOOK.md §1.7: ECMAScript 2016 only; no module syntax). Parses the file as an ES2016 *script* with acorn: any
 * async function, await, import or export is a syntax error there. Comments are ignored. Exported for the e2e test.
 */
function classicScriptProblems(source) {
  const acorn = require('acorn');
  const problems = [];
  try {
    acorn.parse(source, { ecmaVersion: 2016, sourceType: 'script' });
  } catch (err) {
    const context = source.slice(Math.max(0, err.pos - 40), err.pos + 40).replace(/\s+/g, ' ');
    problems.push(`pas du JavaScript ES2016 classique (${err.message} près de « ${context} »)`);
    return problems;
  }
  // Tokens, not text: `async` / `await` used as plain identifiers would still confuse readers and linters.
  for (const token of acorn.tokenizer(source, { ecmaVersion: 2016, sourceType: 'script' })) {
    if (token.type.label === 'name' && (token.value === 'async' || token.value === 'await')) problems.push(`identifiant « ${token.value} »`);
    if (token.type.keyword === 'import' || token.type.keyword === 'export') problems.push(`mot-clé « ${token.type.keyword} »`);
  }
  return Array.from(new Set(problems));
}

/**
 * Origin of the connector that serves the add-in, as the connector computes its own public URL (config.ts:
 * MSS_PUBLIC_URL, else https://localhost:<MSS_PORT, default 3000>), without trailing slash.
 */
function connectorOrigin() {
  const explicit = process.env.MSS_PUBLIC_URL;
  if (explicit) return new URL(explicit).origin;
  return `https://localhost:${process.env.MSS_PORT || 3000}`;
}

module.exports = (env, argv) => {
  const webpack = require('webpack');
  const mode = argv.mode === 'production' ? 'production' : 'development';
  // never eval: CSP and the JS runtime; production ships no source maps (smaller, nothing of the source exposed)
  const devtool = mode === 'production' ? false : 'cheap-module-source-map';
  const resolve = { extensions: ['.tsx', '.ts', '.js'] };

  /** @type {import('webpack').Configuration} */
  const web = {
    name: 'web',
    mode,
    devtool,
    target: ['web', 'es2020'],
    entry: {
      taskpane: './src/addin/taskpane/index.tsx',
      harness: './src/harness/index.tsx',
      'fake-office': './src/harness/fake-office.ts',
      'auth-dialog': './src/harness/auth-dialog.ts',
    },
    output: { path: DIST, filename: '[name].js', publicPath: '/', clean: { keep: /^launchevent\.js(\.map)?$/ } },
    resolve,
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'ts-loader',
            options: {
              transpileOnly: true,
              compilerOptions: { target: 'ES2020', module: 'ESNext', jsx: 'react-jsx', noEmit: false, sourceMap: true },
            },
          },
        },
      ],
    },
    plugins: [
      html('taskpane.html', { title: 'Vérification MSSanté', headScripts: [OFFICE_JS], chunks: ['taskpane'] }),
      html('commands.html', { title: 'MSSanté pour Outlook', headScripts: [OFFICE_JS], bodyScripts: [LAUNCHEVENT_JS], root: false }),
      html('harness.html', { title: 'Harnais MSSanté pour Outlook', chunks: ['harness'] }),
      html('harness/taskpane.html', { title: 'Vérification MSSanté (harnais)', headScripts: [FAKE_OFFICE_JS], chunks: ['taskpane'] }),
      // The sign-in page of the Office-dialog fallback, in the harness (fake Office host, test identity provider).
      html('harness/auth-dialog.html', { title: 'Connexion (harnais)', headScripts: [FAKE_OFFICE_JS], chunks: ['auth-dialog'], root: false }),
      html('harness/commands.html', { title: 'MSSanté pour Outlook (harnais)', headScripts: [FAKE_OFFICE_JS], bodyScripts: [LAUNCHEVENT_JS], root: false }),
      new CopyWebpackPlugin({ patterns: [{ from: 'assets/*.png', to: 'assets/[name][ext]', noErrorOnMissing: true }] }),
    ],
    performance: { hints: false },
  };

  /** @type {import('webpack').Configuration} */
  const launchevent = {
    name: 'launchevent',
    mode,
    devtool: mode === 'production' ? false : 'source-map',
    target: ['web', 'es2016'],
    entry: { launchevent: './src/addin/launchevent/launchevent.ts' },
    output: {
      path: DIST,
      filename: '[name].js',
      iife: true, // a plain classic script: nothing leaks to the global scope but Office.actions.associate
      chunkFormat: false,
      chunkLoading: false,
      wasmLoading: false,
      workerChunkLoading: false,
      environment: { arrowFunction: true, const: true, destructuring: true, forOf: true, module: false, dynamicImport: false, asyncFunction: false },
    },
    resolve,
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          use: {
            loader: 'ts-loader',
            options: {
              transpileOnly: true,
              // ES2016: classic Outlook's JavaScript-only runtime before Version 2403 knows no async/await (§1.7).
              compilerOptions: { target: 'ES2016', module: 'ESNext', noEmit: false, sourceMap: true },
            },
          },
        },
      ],
    },
    optimization: { runtimeChunk: false, splitChunks: false },
    plugins: [
      // The connector origin for classic Outlook's JavaScript-only runtime, which has no `location` and no relative
      // URLs (OUTLOOK.md §1.7): the same origin as the manifest's JSRuntime.Url (see src/addin/launchevent/connector.ts).
      new webpack.DefinePlugin({ __CONNECTOR_ORIGIN__: JSON.stringify(connectorOrigin()) }),
      new ClassicScriptCheckPlugin(),
    ],
    performance: { hints: false },
  };

  // Production (`npm run build`): minified by webpack's production mode, without the demo harness (its pages, the
  // fake Office host, the test sign-in page), which the connector does not serve in production anyway.
  // `--env harness` keeps the harness in a production build (bench/taskpane.mjs times the production pane in it).
  if (mode === 'production' && !(env && env.harness)) {
    for (const name of ['harness', 'fake-office', 'auth-dialog']) delete web.entry[name];
    web.plugins = web.plugins.filter((p) => !(p instanceof HtmlWebpackPlugin && /^harness(\.html$|\/)/.test(p.userOptions.filename)));
  }
  return [web, launchevent];
};

module.exports.classicScriptProblems = classicScriptProblems;
