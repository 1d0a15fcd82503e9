/**
 * Chart colours readable by everyone: the Okabe–Ito palette (Okabe & Ito, "Color Universal
 * Design", 2008), chosen so its colours stay apart for the common colour-vision deficiencies
 * (deuteranopia, protanopia, tritanopia); no red/green pair. Every kernel-lib chart draws from it
 * (the builders set it as the colorway; figures that colour by hand take these constants).
 */
export const PALETTE = Object.freeze({
  blue: "#0072B2",
  orange: "#E69F00",
  bluishGreen: "#009E73",
  reddishPurple: "#CC79A7",
  skyBlue: "#56B4E9",
  vermillion: "#D55E00",
  yellow: "#F0E442",
  black: "#000000",
});

/** The order series take their colours in (Plotly's `layout.colorway`). */
export const COLORWAY: readonly string[] = Object.freeze([
  PALETTE.blue, PALETTE.orange, PALETTE.bluishGreen, PALETTE.reddishPurple, PALETTE.skyBlue, PALETTE.vermillion, PALETTE.yellow, PALETTE.black,
]);

/** One colour per way of virtualizing memory, the same in every chart. */
export const MODE_COLORS = Object.freeze({ native: PALETTE.blue, shadow: PALETTE.orange, nested: PALETTE.reddishPurple });
