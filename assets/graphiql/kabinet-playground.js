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
  var props = { fetcher: fetcher, defaultQuery: defaultQuery, defaultEditorToolsVisibility: true };
  function render(change) {
    for (var key in change) props[key] = change[key];
    root.render(React.createElement(GraphiQL, props));
  }
  render({});

  var toolbar = document.getElementById("kabinet-toolbar");
  var status = document.createElement("span");
  status.id = "kabinet-status";

  // The frontend's operations (operations/ in the repository) as a picker:
  // choosing one puts it, with its fragments, in the editor.
  function picker(operations) {
    var select = document.createElement("select");
    select.id = "kabinet-operations";
    select.setAttribute("aria-label", "Готовые операции");
    var first = document.createElement("option");
    first.value = "";
    first.textContent = "Готовые операции (" + operations.length + ")…";
    select.appendChild(first);
    operations.forEach(function (operation, index) {
      var option = document.createElement("option");
      option.value = String(index);
      option.textContent = operation.name;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      var operation = operations[Number(select.value)];
      if (operation) render({ query: operation.query });
    });
    toolbar.appendChild(select);
  }

  // Development only (the demo data on): sign in as the demo subscriber
  // through the real login mutation and put the token in the headers.
  function demoSignIn() {
    var button = document.createElement("button");
    button.id = "kabinet-demo-sign-in";
    button.type = "button";
    button.textContent = "Войти как demo";
    button.addEventListener("click", function () {
      status.textContent = "Вход…";
      fetch("/graphql", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          query: "mutation DemoSignIn($input: LoginInput!) { login(input: $input) { token userErrors { message } } }",
          variables: { input: { login: "demo", password: "demo12345" } },
        }),
      })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          var login = body.data && body.data.login;
          if (!login || !login.token) {
            var why = (login && login.userErrors[0] && login.userErrors[0].message) ||
              (body.errors && body.errors[0] && body.errors[0].message) || "неизвестная ошибка";
            status.textContent = "Не удалось войти: " + why;
            return;
          }
          var headers = JSON.stringify({ Authorization: "Bearer " + login.token }, null, 2);
          localStorage.setItem("graphiql:headers", headers);
          render({ headers: headers });
          status.textContent = "Вы вошли как demo: токен в заголовках (Headers)";
        })
        .catch(function () { status.textContent = "Сервер недоступен"; });
    });
    toolbar.appendChild(button);
  }

  fetch("/graphiql/operations.json")
    .then(function (response) { return response.json(); })
    .then(function (offer) {
      if (offer.operations && offer.operations.length) picker(offer.operations);
      if (offer.demoSignIn) demoSignIn();
      toolbar.appendChild(status);
    })
    .catch(function () { /* the playground works without them */ });
})();
