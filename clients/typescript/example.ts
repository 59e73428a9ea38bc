// Signs in, shows the dashboard, then prints account events as they come.
//   KABINET_URL=http://127.0.0.1:8080/graphql KABINET_LOGIN=demo KABINET_PASSWORD=demo12345 npm run example
import {
  AccountEventsDocument,
  DashboardDocument,
  LoginDocument,
  connect,
  request,
  subscribe,
  type AccountEventsSubscription,
  type ApiError,
} from "./src/client.js";

const url = process.env["KABINET_URL"] ?? "http://127.0.0.1:8080/graphql";

function fail(what: string, errors: readonly ApiError[]): never {
  for (const e of errors) {
    console.error(`${what}: ${e.extensions?.code ?? "NO_CODE"}: ${e.message}`);
  }
  process.exit(1);
}

// (a) Sign in. Refusals a person can fix come as userErrors, the rest as GraphQL errors.
const login = await request(url, LoginDocument, {
  input: {
    login: process.env["KABINET_LOGIN"] ?? "demo",
    password: process.env["KABINET_PASSWORD"] ?? "demo12345",
  },
});
if (!login.ok) fail("login", login.errors);
const { token, userErrors, lockedUntil } = login.data.login;
if (userErrors.length > 0 || token === null) {
  for (const u of userErrors) console.error(`login refused: ${u.code}: ${u.message}`);
  if (lockedUntil !== null) console.error(`sign-in locked until ${lockedUntil}`);
  process.exit(1);
}

// (b) The dashboard: balance, tariff, days until blocking.
const dashboard = await request(url, DashboardDocument, {}, token);
if (!dashboard.ok) fail("dashboard", dashboard.errors);
const me = dashboard.data.me;
if (me === null) {
  console.error("the session has ended: sign in again");
  process.exit(1);
}
const { balance, daysUntilBlock } = me.summary;
console.log(`${me.holderName}, account ${me.number} (${me.status})`);
console.log(`balance: ${balance.amount} ${balance.currency}`);
console.log(`tariff: ${me.tariff ? `${me.tariff.name}, ${me.tariff.monthlyFee.amount} ${me.tariff.monthlyFee.currency}/month` : "none"}`);
console.log(`days until block: ${daysUntilBlock ?? "nothing is charged"}`);

// (c) Account events over graphql-ws until Ctrl-C.
type AccountEvent = AccountEventsSubscription["accountEvents"];

function describe(event: AccountEvent): string {
  switch (event.__typename) {
    case "BalanceChanged":
      return `balance is now ${event.balance.amount} ${event.balance.currency}`;
    case "PaymentStatusChanged":
      return `payment ${event.payment?.id ?? "?"}: ${event.paymentStatus}`;
    case "TicketUpdated":
      return `ticket #${event.ticket?.number ?? "?"}: ${event.ticketStatus}`;
    case "ScheduledChangeApplied":
      return `scheduled change applied: ${event.scheduledChange?.kind ?? "?"}`;
    default: {
      // A new member of the union selected by the operation must be handled here.
      const unhandled: never = event;
      return `unknown event ${JSON.stringify(unhandled)}`;
    }
  }
}

const client = connect(url, token);
const events = subscribe(client, AccountEventsDocument, {});
process.once("SIGINT", () => void client.dispose()); // closes the socket, which ends the loop
console.log("following account events (Ctrl-C to stop)");
try {
  for await (const event of events) {
    if (!event.ok) fail("accountEvents", event.errors);
    console.log(`${event.data.accountEvents.at} ${describe(event.data.accountEvents)}`);
  }
} catch (err) {
  // The socket closed: 4401 when the session ends (logout, expiry), anything else a network problem.
  const code = (err as { code?: unknown }).code;
  console.error(code === 4401 ? "the session has ended: sign in again" : `socket closed: ${String(code ?? err)}`);
  process.exitCode = 1;
} finally {
  await client.dispose();
}
