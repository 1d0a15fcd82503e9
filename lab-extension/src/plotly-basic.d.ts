// plotly.js-basic-dist-min ships no types; playground-view.ts treats it as tools/handouts/plot.ts's PlotlyApi.
declare module "plotly.js-basic-dist-min";
