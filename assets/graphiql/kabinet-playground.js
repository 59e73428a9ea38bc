// Starts GraphiQL against this server's /graphql. Subscriptions go over a
// WebSocket with the graphql-transport-ws protocol, spoken here directly so the
// page needs nothing beyond the assets served with it.
(function () {
  var wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";

  function authorization() {
    try {
      var headers = JSON.parse(localStorage.getItem("graphiql:headers") || "{}");
      return headers.Authorization || headers.authorization || null;
    } catch (e) {
      return null;
    }
  }

  var wsClient = {
    subscribe: function (payload, sink) {
      var socket = new WebSocket(wsUrl, "graphql-transport-ws");
      var done = false;
      function finish(error) {
        if (done) return;
        done = true;
        if (error) sink.error(error); else sink.complete();
        try { socket.close(1000); } catch (e) { /* already closed */ }
      }
      socket.onopen = function () {
        var auth = authorization();
        socket.send(JSON.stringify({ type: "connection_init", payload: auth ? { authorization: auth } : {} }));
      };
      socket.onmessage = function (event) {
        var message = JSON.parse(event.data);
        if (message.type === "connection_ack") {
          socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: payload }));
        } else if (message.type === "next") {
          sink.next(message.payload);
        } else if (message.type === "error") {
          finish(message.payload);
        } else if (message.type === "complete") {
          finish();
        } else if (message.type === "ping") {
          socket.send(JSON.stringify({ type: "pong" }));
        }
      };
      socket.onerror = function () { finish(new Error("WebSocket error")); };
      socket.onclose = function () { finish(); };
      return function () {
        if (socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify({ id: "1", type: "complete" }));
        }
        finish();
      };
    },
  };

  var fetcher = GraphiQL.createFetcher({ url: "/graphql", wsClient: wsClient });
  var defaultQuery = [
    "# Kabinet — личный кабинет абонента.",
    "# Документация схемы — кнопка слева, выполнить запрос — ▶.",
    "",
    "{",
    "  supportContacts {",
    "    phone",
    "    email",
    "    hours",
    "  }",
    "  me {",
    "    number",
    "    status",
    "  }",
    "}",
    "",
  ].join("\n");
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
