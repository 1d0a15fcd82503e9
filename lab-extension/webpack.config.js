// Extra webpack settings merged by @jupyterlab/builder: no terser pass. Everything it would minify
// is minified already (esbuild's lib/, plotly.js-basic-dist-min), and terser on the 1 MB plotly.js
// took 30 of the build's 35 seconds.
module.exports = { optimization: { minimize: false } };
