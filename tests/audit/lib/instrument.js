// Added to every page of the 10,000-VM scenario before its own scripts (addInitScript): when
// the page reads the body of an answer that came through lib/proxy.js, a user-timing mark
// `audit:resp|<changed VMs>|<bytes>|<path>` is made in the microtask that hands the body over,
// i.e. in the task in which the page then applies it. Costs a few microseconds per answer and
// reads nothing the page does not already read.
export const INSTRUMENT = () => {
  const wrap = (method) => {
    const orig = Response.prototype[method];
    Response.prototype[method] = function (...args) {
      const changed = this.headers.get('x-audit-changed');
      if (changed === null) return orig.apply(this, args);
      const path = new URL(this.url).pathname;
      const bytes = this.headers.get('content-length') ?? '?';
      return orig.apply(this, args).then((v) => {
        performance.mark(`audit:resp|${changed}|${bytes}|${path}`);
        return v;
      });
    };
  };
  wrap('text');
  wrap('json');
  wrap('arrayBuffer');
};
