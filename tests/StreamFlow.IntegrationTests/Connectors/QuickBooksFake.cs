using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace StreamFlow.IntegrationTests.Connectors;

/// <summary>
/// QuickBooks Online as Intuit documents it: the OAuth2 token endpoint (client_secret_basic; authorization_code with
/// code_verifier, refresh_token rotating the refresh token, invalid_grant for a refresh token not current); the
/// Accounting API v3 under /v3/company/{realmId}/ with minorversion, Bearer tokens (401 AuthenticationFailed 3200 for
/// an expired one), customer and invoice create (requestid answered with the first outcome), sparse update with
/// SyncToken (400 Stale Object Error 5010), Duplicate Name Exists Error 6240, query, read by id, cdc for Payment, and
/// the throttle: 429 ThrottleExceeded beyond <see cref="RequestsPerMinute"/>.
/// </summary>
internal sealed partial class QuickBooksFake : IDisposable
{
    public const string ClientId = "qb-client-id";
    public const string ClientSecret = "qb-client-secret";
    public const string Realm = "9130355377654321";
    public const string GoodCode = "AB11-authorization-code";
    private readonly object _gate = new();
    private readonly HashSet<string> _accessTokens = [];
    private readonly Dictionary<string, JsonObject> _customers = [];
    private readonly Dictionary<string, JsonObject> _invoices = [];
    private readonly List<(DateTimeOffset At, JsonObject Payment)> _payments = [];
    private readonly Dictionary<string, string> _answersByRequestId = [];
    private readonly Queue<DateTimeOffset> _window = new();
    private readonly HashSet<string> _losing = [];
    private int _nextId = 100;
    private int _tokens;

    public QuickBooksFake(int? port = null)
    {
        Server = port is { } fixedPort ? WireMockServer.Start(fixedPort) : WireMockServer.Start();
        Server.Given(Request.Create().WithPath("/oauth2/v1/tokens/bearer").UsingPost()).AtPriority(100).RespondWith(Response.Create().WithCallback(Token));
        Server.Given(Request.Create().WithPath(new RegexMatcher("^/v3/company/.*"))).AtPriority(100).RespondWith(Response.Create().WithCallback(Api));
    }

    public WireMockServer Server { get; }

    public string Url => Server.Url!;

    public string? RefreshToken { get; private set; }

    /// <summary>Requests per minute per realm before 429 (Intuit documents 500); null: no throttle.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>The throttle's window: a minute as documented; tests shorten it.</summary>
    public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The codes the token endpoint saw with their code_verifier.</summary>
    public ConcurrentQueue<(string GrantType, string? CodeVerifier)> Grants { get; } = new();

    /// <summary>Creates that made a new entity (a repeated requestid does not).</summary>
    public ConcurrentQueue<(string Entity, string? DocNumber, string RequestId)> Creates { get; } = new();

    public int Throttled { get; private set; }

    /// <summary>Invoices voided (operation=void accepted).</summary>
    public ConcurrentQueue<string> Voids { get; } = new();

    public void ExpireAccessTokens()
    {
        lock (_gate)
        {
            _accessTokens.Clear();
        }
    }

    public void RevokeRefreshToken() => RefreshToken = null;

    /// <summary>The next create of <paramref name="resource"/> commits, but its answer is lost on the way (a 504 from the gateway).</summary>
    public void LoseNextAnswer(string resource)
    {
        lock (_gate)
        {
            _losing.Add(resource);
        }
    }

    /// <summary>The bookkeeper edits an invoice in QuickBooks: its SyncToken moves on.</summary>
    public void EditInvoiceInQuickBooks(string id, string memo)
    {
        lock (_gate)
        {
            var invoice = _invoices[id];
            invoice["PrivateNote"] = memo;
            invoice["SyncToken"] = (int.Parse(invoice["SyncToken"]!.ToString(), CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        }
    }

    public JsonObject Customer(string id)
    {
        lock (_gate)
        {
            return (JsonObject)_customers[id].DeepClone();
        }
    }

    public IReadOnlyList<JsonObject> Invoices()
    {
        lock (_gate)
        {
            return _invoices.Values.Select(i => (JsonObject)i.DeepClone()).ToList();
        }
    }

    /// <summary>The bookkeeper edits a customer in QuickBooks: its SyncToken moves on.</summary>
    public void EditCustomerInQuickBooks(string id, string notes)
    {
        lock (_gate)
        {
            var customer = _customers[id];
            customer["Notes"] = notes;
            customer["SyncToken"] = (int.Parse(customer["SyncToken"]!.ToString(), CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The bookkeeper adds a customer by hand.</summary>
    public string AddCustomer(string displayName)
    {
        lock (_gate)
        {
            var id = (_nextId++).ToString(CultureInfo.InvariantCulture);
            _customers[id] = new JsonObject { ["Id"] = id, ["SyncToken"] = "0", ["DisplayName"] = displayName };
            return id;
        }
    }

    /// <summary>A payment received in QuickBooks against an invoice.</summary>
    public void Pay(string invoiceId, decimal amount)
    {
        lock (_gate)
        {
            var invoice = _invoices[invoiceId];
            invoice["Balance"] = invoice["Balance"]!.GetValue<decimal>() - amount;
            invoice["SyncToken"] = (int.Parse(invoice["SyncToken"]!.ToString(), CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
            var id = (_nextId++).ToString(CultureInfo.InvariantCulture);
            _payments.Add((DateTimeOffset.UtcNow, new JsonObject
            {
                ["Id"] = id, ["SyncToken"] = "0", ["TotalAmt"] = amount, ["CustomerRef"] = new JsonObject { ["value"] = invoice["CustomerRef"]!["value"]!.ToString() },
                ["Line"] = new JsonArray(new JsonObject
                {
                    ["Amount"] = amount, ["LinkedTxn"] = new JsonArray(new JsonObject { ["TxnId"] = invoiceId, ["TxnType"] = "Invoice" }),
                }),
            }));
        }
    }

    public void Dispose() => Server.Stop();

    private ResponseMessage Token(IRequestMessage request)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
        if (request.Headers?.TryGetValue("Authorization", out var auth) != true || auth!.FirstOrDefault() != expected)
        {
            return Json(401, """{"error":"invalid_client"}""");
        }

        var form = (request.Body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0].Replace('+', ' ')), pair => Uri.UnescapeDataString(pair.ElementAtOrDefault(1)?.Replace('+', ' ') ?? ""));
        var grant = form.GetValueOrDefault("grant_type") ?? "";
        Grants.Enqueue((grant, form.GetValueOrDefault("code_verifier")));
        lock (_gate)
        {
            var allowed = grant switch
            {
                "authorization_code" => form.GetValueOrDefault("code") == GoodCode && form.GetValueOrDefault("code_verifier") is { Length: >= 43 },
                "refresh_token" => RefreshToken is not null && form.GetValueOrDefault("refresh_token") == RefreshToken,
                _ => false,
            };
            if (!allowed)
            {
                return Json(400, """{"error":"invalid_grant"}""");
            }

            var n = ++_tokens;
            var access = $"eyJ-access-{n}";
            _accessTokens.Add(access);
            RefreshToken = $"AB11-refresh-{n}";
            return Json(200, new JsonObject
            {
                ["token_type"] = "bearer", ["access_token"] = access, ["refresh_token"] = RefreshToken, ["expires_in"] = 3600, ["x_refresh_token_expires_in"] = 8726400,
            }.ToJsonString());
        }
    }

    private ResponseMessage Api(IRequestMessage request)
    {
        var match = ApiPath().Match(request.Path);
        string? Query(string name) => request.Query is { } query && query.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;
        var token = request.Headers?.TryGetValue("Authorization", out var auth) == true ? auth!.FirstOrDefault() : null;
        lock (_gate)
        {
            if (RequestsPerMinute is { } limit)
            {
                var now = DateTimeOffset.UtcNow;
                while (_window.Count > 0 && now - _window.Peek() > ThrottleWindow)
                {
                    _window.Dequeue();
                }

                if (_window.Count >= limit)
                {
                    Throttled++;
                    var wait = Math.Max(1, (int)Math.Ceiling((_window.Peek() + ThrottleWindow - now).TotalSeconds));
                    return Json(429, """{"Fault":{"Error":[{"Message":"message=ThrottleExceeded; errorCode=003001; statusCode=429","Detail":"The request limit was reached.","code":"3001"}],"type":"SERVICE"}}""",
                        ("Retry-After", wait.ToString(CultureInfo.InvariantCulture)));
                }

                _window.Enqueue(now);
            }

            if (token is null || !token.StartsWith("Bearer ", StringComparison.Ordinal) || !_accessTokens.Contains(token["Bearer ".Length..]))
            {
                return Json(401, """{"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token expired: eyJ...","code":"3200"}],"type":"AUTHENTICATION"}}""");
            }

            if (!match.Success || match.Groups["realm"].Value != Realm)
            {
                return Fault(403, "ApplicationAuthorizationFailed", "The realm is not connected to this app.", "003100");
            }

            if (Query("minorversion") is not { Length: > 0 })
            {
                return Fault(400, "Invalid minorversion", "minorversion is required by this fake.", "2020");
            }

            var resource = match.Groups["resource"].Value;
            var requestId = Query("requestid");
            if (request.Method == "POST" && requestId is not null && _answersByRequestId.TryGetValue(requestId, out var earlier))
            {
                return Json(200, earlier);
            }

            var answer = (request.Method, resource) switch
            {
                ("POST", "customer") => SaveCustomer(JsonNode.Parse(request.Body!)!.AsObject(), requestId),
                ("POST", "invoice") when Query("operation") == "void" => VoidInvoice(JsonNode.Parse(request.Body!)!.AsObject()),
                ("POST", "invoice") => CreateInvoice(JsonNode.Parse(request.Body!)!.AsObject(), requestId),
                ("GET", "query") => QueryCustomers(Query("query") ?? ""),
                ("GET", "cdc") => Cdc(Query("entities") ?? "", Query("changedSince")),
                ("GET", var path) when path.StartsWith("customer/", StringComparison.Ordinal) => Read(_customers, "Customer", path["customer/".Length..]),
                ("GET", var path) when path.StartsWith("invoice/", StringComparison.Ordinal) => Read(_invoices, "Invoice", path["invoice/".Length..]),
                ("GET", var path) when path.StartsWith("companyinfo/", StringComparison.Ordinal) => Json(200, """{"CompanyInfo":{"CompanyName":"Acme Books","Id":"1"}}"""),
                _ => Fault(400, "Unsupported operation", $"{request.Method} {resource}", "500"),
            };
            if (request.Method == "POST" && requestId is not null && answer.StatusCode is 200)
            {
                _answersByRequestId[requestId] = answer.BodyData!.BodyAsString!;
                if (_losing.Remove(resource))
                {
                    return Json(504, "<html><body>504 Gateway Time-out</body></html>");
                }
            }

            return answer;
        }
    }

    private ResponseMessage SaveCustomer(JsonObject body, string? requestId)
    {
        var name = body["DisplayName"]?.ToString();
        if (body["Id"]?.ToString() is { } id)
        {
            if (!_customers.TryGetValue(id, out var existing))
            {
                return Fault(400, "Object Not Found", $"Customer {id}", "610");
            }

            if (body["SyncToken"]?.ToString() != existing["SyncToken"]!.ToString())
            {
                return Fault(400, "Stale Object Error", "You and another user were working on the same thing.", "5010");
            }

            foreach (var (key, value) in body.Where(p => p.Key is not ("Id" or "SyncToken" or "sparse")).ToList())
            {
                existing[key] = value?.DeepClone();
            }

            existing["SyncToken"] = (int.Parse(existing["SyncToken"]!.ToString(), CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
            return Json(200, new JsonObject { ["Customer"] = existing.DeepClone(), ["time"] = DateTimeOffset.UtcNow.ToString("O") }.ToJsonString());
        }

        if (string.IsNullOrWhiteSpace(name) || _customers.Values.Any(c => c["DisplayName"]?.ToString() == name))
        {
            return Fault(400, "Duplicate Name Exists Error", "The name supplied already exists.", "6240");
        }

        var newId = (_nextId++).ToString(CultureInfo.InvariantCulture);
        var created = (JsonObject)body.DeepClone();
        created["Id"] = newId;
        created["SyncToken"] = "0";
        _customers[newId] = created;
        Creates.Enqueue(("Customer", null, requestId ?? ""));
        return Json(200, new JsonObject { ["Customer"] = created.DeepClone(), ["time"] = DateTimeOffset.UtcNow.ToString("O") }.ToJsonString());
    }

    private ResponseMessage CreateInvoice(JsonObject body, string? requestId)
    {
        if (body["CustomerRef"]?["value"]?.ToString() is not { } customer || !_customers.ContainsKey(customer))
        {
            return Fault(400, "Invalid Reference Id", "Invalid Reference Id : Customer assigned to this transaction has been deleted.", "2500");
        }

        if (body["Line"] is not JsonArray { Count: > 0 } lines)
        {
            return Fault(400, "Required param missing, need to supply the required value for the API", "Required parameter Line is missing in the request", "2020");
        }

        var total = lines.Sum(line => line!["Amount"]!.GetValue<decimal>()) + (body["TxnTaxDetail"]?["TotalTax"]?.GetValue<decimal>() ?? 0m);
        var id = (_nextId++).ToString(CultureInfo.InvariantCulture);
        var created = (JsonObject)body.DeepClone();
        created["Id"] = id;
        created["SyncToken"] = "0";
        created["TotalAmt"] = total;
        created["Balance"] = total;
        _invoices[id] = created;
        Creates.Enqueue(("Invoice", body["DocNumber"]?.ToString(), requestId ?? ""));
        return Json(200, new JsonObject { ["Invoice"] = created.DeepClone(), ["time"] = DateTimeOffset.UtcNow.ToString("O") }.ToJsonString());
    }

    // Intuit's void: the invoice stays, its amounts become zero and its memo says Voided; the SyncToken must be current.
    private ResponseMessage VoidInvoice(JsonObject body)
    {
        if (body["Id"]?.ToString() is not { } id || !_invoices.TryGetValue(id, out var invoice))
        {
            return Fault(400, "Object Not Found", $"Invoice {body["Id"]}", "610");
        }

        if (body["SyncToken"]?.ToString() != invoice["SyncToken"]!.ToString())
        {
            return Fault(400, "Stale Object Error", "You and another user were working on the same thing.", "5010");
        }

        invoice["TotalAmt"] = 0m;
        invoice["Balance"] = 0m;
        invoice["PrivateNote"] = "Voided";
        invoice["SyncToken"] = (int.Parse(invoice["SyncToken"]!.ToString(), CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        Voids.Enqueue(id);
        return Json(200, new JsonObject { ["Invoice"] = invoice.DeepClone(), ["time"] = DateTimeOffset.UtcNow.ToString("O") }.ToJsonString());
    }

    private ResponseMessage QueryCustomers(string query)
    {
        var match = CustomerByName().Match(query);
        if (!match.Success)
        {
            return Fault(400, "QueryParserError", "Encountered an unsupported query.", "4000");
        }

        var name = match.Groups["name"].Value.Replace("\\'", "'", StringComparison.Ordinal);
        var found = new JsonArray(_customers.Values.Where(c => c["DisplayName"]?.ToString() == name).Select(c => (JsonNode)c.DeepClone()).ToArray());
        return Json(200, new JsonObject { ["QueryResponse"] = new JsonObject { ["Customer"] = found, ["startPosition"] = 1, ["maxResults"] = found.Count } }.ToJsonString());
    }

    private ResponseMessage Cdc(string entities, string? changedSince)
    {
        if (!DateTimeOffset.TryParse(changedSince, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since) || since < DateTimeOffset.UtcNow.AddDays(-30))
        {
            return Fault(400, "Invalid changedSince", "changedSince must be within the last 30 days.", "2030");
        }

        var payments = entities.Split(',').Contains("Payment")
            ? new JsonArray(_payments.Where(p => p.At >= since).Select(p => (JsonNode)p.Payment.DeepClone()).ToArray())
            : [];
        return Json(200, new JsonObject
        {
            ["CDCResponse"] = new JsonArray(new JsonObject { ["QueryResponse"] = new JsonArray(new JsonObject { ["Payment"] = payments, ["startPosition"] = 1 }) }),
            ["time"] = DateTimeOffset.UtcNow.ToString("O"),
        }.ToJsonString());
    }

    private static ResponseMessage Read(Dictionary<string, JsonObject> table, string name, string id) =>
        table.TryGetValue(id, out var found)
            ? Json(200, new JsonObject { [name] = found.DeepClone(), ["time"] = DateTimeOffset.UtcNow.ToString("O") }.ToJsonString())
            : Fault(400, "Object Not Found", $"Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.", "610");

    private static ResponseMessage Fault(int status, string message, string detail, string code) =>
        Json(status, new JsonObject
        {
            ["Fault"] = new JsonObject
            {
                ["Error"] = new JsonArray(new JsonObject { ["Message"] = message, ["Detail"] = detail, ["code"] = code, ["element"] = "" }), ["type"] = "ValidationFault",
            },
            ["time"] = DateTimeOffset.UtcNow.ToString("O"),
        }.ToJsonString());

    private static ResponseMessage Json(int status, string body, params (string Name, string Value)[] headers)
    {
        var response = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
            Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        };
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = new WireMockList<string>(value);
        }

        return response;
    }

    [GeneratedRegex("^/v3/company/(?<realm>[^/]+)/(?<resource>.+)$")]
    private static partial Regex ApiPath();

    [GeneratedRegex("^select \\* from Customer where DisplayName = '(?<name>(?:[^'\\\\]|\\\\.)*)'$")]
    private static partial Regex CustomerByName();
}
