"use strict";
// The interactive reference of the OpenAPI document this app serves: no third-party code, no CDN.
(function () {
  const methods = ["get", "post", "put", "patch", "delete"];
  const tokenInput = document.getElementById("token");
  const apiRoot = new URL("./", document.baseURI);

  tokenInput.value = sessionStorage.getItem("streamflow.token") || "";
  tokenInput.addEventListener("change", () => sessionStorage.setItem("streamflow.token", tokenInput.value));

  fetch(new URL("openapi.json", apiRoot))
    .then(response => { if (!response.ok) { throw new Error("HTTP " + response.status); } return response.json(); })
    .then(render)
    .catch(error => { document.getElementById("status").textContent = "The OpenAPI document could not be loaded: " + error.message; });

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => node.setAttribute(name, value));
    children.flat().forEach(child => node.append(child instanceof Node ? child : document.createTextNode(String(child ?? ""))));
    return node;
  }

  function resolve(document, schema) {
    let current = schema;
    for (let depth = 0; current && current.$ref && depth < 10; depth++) {
      current = current.$ref.replace(/^#\//, "").split("/").reduce((node, key) => node && node[key], document);
    }
    return current || {};
  }

  function example(document, schema, depth) {
    const resolved = resolve(document, schema);
    if (depth > 4) { return null; }
    const type = Array.isArray(resolved.type) ? resolved.type.find(t => t !== "null") : resolved.type;
    if (resolved.enum) { return resolved.enum[0]; }
    if (type === "object" || resolved.properties) {
      return Object.fromEntries(Object.entries(resolved.properties || {}).map(([name, property]) => [name, example(document, property, depth + 1)]));
    }
    if (type === "array") { return [example(document, resolved.items || {}, depth + 1)]; }
    if (type === "integer" || type === "number") { return 0; }
    if (type === "boolean") { return false; }
    return resolved.format === "uuid" ? "00000000-0000-0000-0000-000000000000" : "";
  }

  function operationsOf(document) {
    const operations = [];
    Object.entries(document.paths || {}).forEach(([path, item]) => methods.forEach(method => {
      if (item[method]) { operations.push({ path, method, operation: item[method], shared: item.parameters || [] }); }
    }));
    return operations;
  }

  function render(document) {
    const operations = operationsOf(document);
    const byTag = new Map();
    operations.forEach(entry => {
      const tag = (entry.operation.tags || ["Other"])[0];
      if (!byTag.has(tag)) { byTag.set(tag, []); }
      byTag.get(tag).push(entry);
    });

    const section = window.document.getElementById("operations");
    const nav = window.document.getElementById("tags");
    section.replaceChildren(element("p", { id: "status" }, `${document.info.title} ${document.info.version}: ${operations.length} operations.`));
    [...byTag.keys()].sort().forEach(tag => {
      const anchor = "tag-" + tag.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      nav.append(element("a", { href: "#" + anchor }, tag));
      section.append(element("h2", { id: anchor }, tag));
      byTag.get(tag).forEach(entry => section.append(renderOperation(document, entry)));
    });

    window.document.getElementById("filter").addEventListener("input", event => {
      const needle = event.target.value.trim().toLowerCase();
      section.querySelectorAll("details.operation").forEach(node => { node.hidden = needle !== "" && !node.dataset.search.includes(needle); });
    });
  }

  function renderOperation(document, entry) {
    const { path, method, operation } = entry;
    const parameters = [...entry.shared, ...(operation.parameters || [])].map(parameter => resolve(document, parameter));
    const security = !operation.security || operation.security.length === 0 ? "anonymous" : Object.keys(operation.security[0]).join(", ");
    const details = element("details", { class: "operation", "data-operation": `${method.toUpperCase()} ${path}`,
      "data-search": `${method} ${path} ${operation.summary || ""} ${(operation.tags || []).join(" ")}`.toLowerCase() },
      element("summary", {}, element("span", { class: "method " + method }, method), element("span", { class: "path" }, path),
        element("span", {}, operation.summary || ""), element("span", { class: "access" }, security)));
    details.addEventListener("toggle", () => { if (details.open && details.children.length === 1) { details.append(renderBody(document, path, method, operation, parameters)); } }, { once: false });
    return details;
  }

  function renderBody(document, path, method, operation, parameters) {
    const body = element("div", { class: "body" });
    if (operation.description) { body.append(element("p", {}, operation.description)); }
    const inputs = new Map();
    if (parameters.length) {
      body.append(element("table", {}, element("tr", {}, element("th", {}, "parameter"), element("th", {}, "in"), element("th", {}, "value")),
        parameters.map(parameter => {
          const input = element("input", { placeholder: (parameter.schema && parameter.schema.type) || "" });
          inputs.set(parameter, input);
          return element("tr", { class: "try" }, element("td", {}, parameter.name + (parameter.required ? " *" : "")), element("td", {}, parameter.in), element("td", {}, input));
        })));
    }
    const json = operation.requestBody && operation.requestBody.content && operation.requestBody.content["application/json"];
    const textarea = json ? element("textarea", { rows: "8" }, JSON.stringify(example(document, json.schema, 0), null, 2)) : null;
    if (textarea) { body.append(element("h3", {}, "Request body"), textarea); }
    body.append(element("h3", {}, "Responses"), element("table", {}, Object.entries(operation.responses || {}).map(([status, response]) =>
      element("tr", {}, element("td", {}, status), element("td", {}, resolve(document, response).description || "")))));
    const output = element("pre", {}, "");
    const send = element("button", { type: "button" }, "Send");
    send.addEventListener("click", () => tryIt(path, method, parameters, inputs, textarea, output));
    body.append(send, output);
    return body;
  }

  function tryIt(path, method, parameters, inputs, textarea, output) {
    let url = path;
    const query = new URLSearchParams();
    parameters.forEach(parameter => {
      const value = inputs.get(parameter).value;
      if (parameter.in === "path") { url = url.replace("{" + parameter.name + "}", encodeURIComponent(value)); }
      else if (parameter.in === "query" && value !== "") { query.append(parameter.name, value); }
    });
    const headers = { Accept: "application/json" };
    const token = tokenInput.value.trim();
    if (token.startsWith("sf_live_")) { headers["X-Api-Key"] = token; } else if (token) { headers.Authorization = "Bearer " + token; }
    if (textarea) { headers["Content-Type"] = "application/json"; }
    const target = new URL(url.replace(/^\/(api\/)?/, "") + (query.toString() ? "?" + query : ""), apiRoot);
    output.textContent = `${method.toUpperCase()} ${target.pathname}${target.search} …`;
    fetch(target, { method: method.toUpperCase(), headers, body: textarea ? textarea.value : undefined })
      .then(async response => { output.textContent = `${response.status} ${response.statusText}\n\n${await response.text()}`; })
      .catch(error => { output.textContent = "The request failed: " + error.message; });
  }
})();
