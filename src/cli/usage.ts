/** The help texts of `kosmos-idv` and its commands. */
export const USAGE = {
  main: `Usage: kosmos-idv <command> [options]

1Kosmos ID-verification helper: the "ECDSA" (ECDH secp256k1 + AES-256-GCM) encryption
1Kosmos uses, a local 1Kosmos simulator, and the backend kit's collector and ledger.

Commands:
  keygen     print a new key pair as JSON { "publicKey", "privateKey" }
  encrypt    encrypt text for a peer: prints the base64 ciphertext
  decrypt    decrypt a base64 ciphertext or a response body { "data", "publicKey" }
  simulate   run the local 1Kosmos simulator (docuverify API and hosted pages)
  serve      run the backend kit as a service, delivering results by signed webhook
  collect    run the kit's collector on its own (a worker, or a cron job with --once)
  ledger     list the kit's ledger: sessions and the delivery of their results

Run "kosmos-idv <command> --help" for a command's options.
Exit codes: 0 success, 1 bad input, 2 usage or configuration error.
`,
  keygen: `Usage: kosmos-idv keygen

Prints a new secp256k1 key pair in 1Kosmos's format (base64 64-byte X||Y public key,
base64 32-byte private key) as JSON { "publicKey", "privateKey" }.
`,
  encrypt: `Usage: kosmos-idv encrypt --private-key-file <file> --public-key <b64> [file]

Encrypts the text of [file] (or stdin; one trailing newline is dropped) with the shared key
of your private key and the peer's public key. Prints the base64 ciphertext.

Options:
  --private-key-file <file>  a file with your private key (base64 32-byte scalar), or the JSON
                             "kosmos-idv keygen" prints; or set KOSMOS_PRIVATE_KEY instead
  --private-key <b64>        the key itself: process lists and shell history see it, so for
                             throwaway keys only
  --public-key <b64>         the peer's public key (base64 64-byte point)
  -h, --help                 show this help
`,
  decrypt: `Usage: kosmos-idv decrypt --private-key-file <file> [--public-key <b64>] [file]

Decrypts [file] (or stdin): either a bare base64 ciphertext, or a 1Kosmos response body
{ "data": "<ciphertext>", "publicKey": "<service public key>" } whose publicKey is then used
instead of --public-key. Prints the plaintext.

Options:
  --private-key-file <file>  a file with your private key (base64 32-byte scalar), or the JSON
                             "kosmos-idv keygen" prints; or set KOSMOS_PRIVATE_KEY instead
  --private-key <b64>        the key itself: process lists and shell history see it, so for
                             throwaway keys only
  --public-key <b64>         the peer's public key (base64 64-byte point); optional for a body
                             that carries its publicKey
  -h, --help                 show this help
`,
  simulate: `Usage: kosmos-idv simulate [options]

Runs a local 1Kosmos (docuverify API, hosted verification pages, control endpoints under
/_simulator/) until SIGINT or SIGTERM. Prints its origin, tenantDNS, community, dvcIDs,
license key and service public key.

Options:
  --port <n>                  port to listen on (default 8787; 0 picks a free one)
  --host <host>               interface to listen on (default 127.0.0.1)
  --license-key <key>         the license key to accept (default: a fixed development key)
  --session-lifetime <secs>   session lifetime in seconds (default 604800, 7 days)
  --tls                       serve https with a self-signed certificate made at start; its
                              file is printed (trust it with NODE_EXTRA_CA_CERTS=<file>), for
                              clients that only call https://{tenantDNS}, as 1Kosmos's helpers do
  --config <file.json>        settings file: port, host, tenantDNS, communityName,
                              dvcIDs { "<name>": { "selfie": bool, "piiRetention"? } },
                              licenseKeys [..],
                              sessionLifetime, maxSessions, piiRetention { off, ttl },
                              faults { latencyMs, errorRate, malformedRate }, frameable, tls,
                              publicUrl, undocumentedFields
                              (command-line options win over the file)
  -h, --help                  show this help
`,
  serve: `Usage: kosmos-idv serve --config <kit.json> [--port 8080] [--host 127.0.0.1]

Runs the backend kit as a service beside an app in any language: the contract's routes
(POST {basePath}, GET {basePath}/{sessionId}), GET /healthz (the ledger and 1Kosmos
reachable), the collector, and each result POSTed to the app's webhook, signed
(Kosmos-Idv-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">) with
Idempotency-Key: <resultId>, retried with backoff for up to 3 days. Session creation needs a
ticket from the app (Kosmos-Idv-Ticket: an HS256 JWT with sub and exp, signed with
ticketSecret) unless the file says "public": true. SIGTERM stops it within 10 s.

Options:
  --config <kit.json>  the kit's settings, as for "kosmos-idv collect --help", plus
                       webhook { url, secret }, ticketSecret, public, basePath,
                       allowedOrigins, sessionLifetime, bodyTimeout. Secrets may come from the environment,
                       which wins: KOSMOS_LICENSE_KEY, KOSMOS_PRIVATE_KEY, IDV_TOKEN_SECRET,
                       IDV_STORE_KEY, IDV_WEBHOOK_SECRET, IDV_TICKET_SECRET, DATABASE_URL
                       (never on the command line)
  --port <n>           port to listen on (default 8080; 0 picks a free one)
  --host <host>        interface to listen on (default 127.0.0.1)
  -h, --help           show this help
`,
  collect: `Usage: kosmos-idv collect --config <kit.json> [--once]

Runs the backend kit's collector alone: asks 1Kosmos about the sessions due in the ledger
(leased, so any number of collectors and kit instances can share a PostgreSQL ledger) and
records their statuses and results. Results wait in the ledger for a kit instance whose
onResult takes them. Runs until SIGINT or SIGTERM, finishing the asks in flight.

Options:
  --config <kit.json>  the kit's settings: tenantDNS, communityName, dvcID, licenseKey,
                       keyPair, tokenSecret, storeKey, docuverifyUrl, timeoutMs, and the
                       ledger: database (postgres://…) or dataDir (PGlite, default
                       ./.kosmos-idv). Secrets may come from the environment instead, which
                       wins: KOSMOS_LICENSE_KEY, KOSMOS_PRIVATE_KEY, IDV_TOKEN_SECRET,
                       IDV_STORE_KEY, DATABASE_URL
  --once               ask about what is due now, then exit (for cron and serverless)
  -h, --help           show this help
`,
  ledger: `Usage: kosmos-idv ledger --config <kit.json> [--pending] [--json] [--limit <n>]
       kosmos-idv ledger --config <kit.json> --redeliver <sessionId>

Lists the sessions in the kit's ledger, newest first: status, next ask, and each result's
delivery state (pending, delivered, failed), attempts and last error. Never prints PII.

Options:
  --config <kit.json>      the kit's settings (see "kosmos-idv collect --help")
  --pending                only sessions with work left: asks, or results not delivered
  --json                   the entries as JSON
  --limit <n>              at most n sessions (default 1000)
  --redeliver <sessionId>  queue the session's failed results for delivery again
  -h, --help               show this help
`,
} as const;

export type CommandName = Exclude<keyof typeof USAGE, 'main'>;
