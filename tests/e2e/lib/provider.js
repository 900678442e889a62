// "Someone else": another console or script acting on the provider directly, through the
// provider's documented API (shared/providers/*.md), behind Vigil's back.

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function call(method, url, headers, body) {
  const r = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/// Hostway FlexCloud: `POST /servers/{id}/action {"reboot": {"type": "SOFT"}}` on the server
/// named `name` (the list gives ids only; each server is read for its name).
export async function hostwayReboot(base, { user, secret }, name) {
  const auth = { authorization: basic(user, secret) };
  const { servers } = await call('GET', `${base}/servers`, auth);
  for (const { id } of servers) {
    const { server } = await call('GET', `${base}/servers/${id}`, auth);
    if (server.name === name) {
      await call('POST', `${base}/servers/${id}/action`, auth, { reboot: { type: 'SOFT' } });
      return id;
    }
  }
  throw new Error(`no Hostway server named ${name}`);
}

/// Erigones: `PUT /vm/{hostname}/status/stop/` on the VM whose alias is `name`; the VM is
/// `stopping` at once.
export async function erigonesStop(base, { secret }, name) {
  const auth = { 'es-api-key': secret };
  const { result } = await call('GET', `${base}/vm/status/`, auth);
  const vm = result.find((v) => v.alias === name);
  if (!vm) throw new Error(`no Erigones VM with alias ${name}`);
  await call('PUT', `${base}/vm/${vm.hostname}/status/stop/`, auth, {});
  return vm.hostname;
}
