// Starts GraphiQL (vendored React 18 and GraphiQL 3 browser builds) on #graphiql, against the
// endpoint its data-endpoint names. A query and its variables can be shared as the page's
// ?q=...&variables=... parameters; they follow the editors as they are typed. (Not ?query=:
// a GET with `query` is a GraphQL request, answered with JSON, not this page.)
"use strict";

(function () {
  const container = document.getElementById("graphiql");
  const endpoint = new URL(container.dataset.endpoint, window.location.href).href;

  const DEFAULT_QUERY = `# The Sahel actor database: public, read-only GraphQL.
#
# Run the query: Ctrl-Enter, or the play button.
# Complete a name: Ctrl-Space. Every type and field: the Docs button (top left).
# More examples: the README's "Querying GraphQL".

# An actor found by any spelling of its names, with its sourced ties.
{
  search(text: "Abou al-Hammam", first: 1) {
    nodes {
      name
      kind
      certainty
      names { name kind }
      affiliationsAsSubject {
        type { label }
        object { name }
        start { edtf }
        certainty
        citations { quote locator stance source { title } }
      }
    }
  }
}
`;

  const parameters = new URLSearchParams(window.location.search);

  function shareInAddress(name, value) {
    if (value) {
      parameters.set(name, value);
    } else {
      parameters.delete(name);
    }
    const search = parameters.toString();
    window.history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
  }

  // GraphiQL reports each editor's content as it opens (more than once): the address is
  // left alone until the content is edited.
  function follow(name) {
    let opened;
    return (value) => {
      if (opened === undefined) {
        opened = value;
      }
      if (value !== opened || parameters.has(name)) {
        shareInAddress(name, value);
      }
    };
  }

  const props = {
    fetcher: GraphiQL.createFetcher({ url: endpoint }),
    defaultQuery: DEFAULT_QUERY,
    defaultEditorToolsVisibility: true,
    inputValueDeprecation: true,
    // The API is anonymous: no header is needed, and none is kept in the browser.
    shouldPersistHeaders: false,
    onEditQuery: follow("q"),
    onEditVariables: follow("variables"),
  };
  // Without parameters GraphiQL restores the last query typed in this browser.
  if (parameters.has("q")) {
    props.query = parameters.get("q");
  }
  if (parameters.has("variables")) {
    props.variables = parameters.get("variables");
  }

  ReactDOM.createRoot(container).render(React.createElement(GraphiQL, props));
})();
