// Stand-in for Node-only packages (pngjs): importing works, using them throws a clear error.
function unavailable() {
  throw new Error("this package is Node-only and not available in the browser demo");
}
export const PNG = new Proxy(function () {}, { construct: unavailable, get: unavailable, apply: unavailable });
export default { PNG };
