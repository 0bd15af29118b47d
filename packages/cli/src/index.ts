export { lineChartSvg, barChartSvg } from "./report/svg-chart.js";
export type { Series, ChartOptions, BarGroup } from "./report/svg-chart.js";
export { svgToPng } from "./report/png.js";
