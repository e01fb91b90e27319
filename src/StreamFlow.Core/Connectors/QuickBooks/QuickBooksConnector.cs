using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connections.OAuth;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps;
using StreamFlow.Core.FieldOps.Invoicing;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;

namespace StreamFlow.Core.Connectors.QuickBooks;

/// <summary>
/// QuickBooks Online (kind <c>quickbooks</c>): connected by OAuth2 to one company (realm). A sync pushes every won lead
/// as a customer and, when it has a won amount, an invoice (pages <c>leads:{cursor}</c>), then reads the payments changed
/// since the last completed sync with <c>cdc</c> (page <c>payments</c>) and marks their invoices paid. The conflict
/// rules are in docs/connectors.md.
/// </summary>
public sealed class QuickBooksConnector(
    QuickBooksClient client, ConnectorRecords records, LeadService leads, CustomerInvoiceService customerInvoices, StreamFlowDatabase database,
    IOptions<QuickBooksOptions> options, TimeProvider time) : IConnector, IOAuthConnector
{
    public const string KindName = "quickbooks";
    internal const string Customer = "customer";
    internal const string Invoice = "invoice";
    internal const string CustomerInvoiceEntity = "customer_invoice";
    internal const string CustomerByName = "customer_name";
    private const string PaymentsPage = "payments";
    private const string LeadsPage = "leads:";
    private const string CustomerInvoicesPage = "customer-invoices:";
    private static readonly TimeSpan CdcLookBack = TimeSpan.FromDays(30);

    public string Kind => KindName;

    public JsonElement Validate(JsonElement settings, IReadOnlyDictionary<string, string>? credentials, bool creating, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var stored = new JsonObject();
        foreach (var property in settings.EnumerateObject())
        {
            switch (property.Name)
            {
                case "realmId" or "itemId" when property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 0 and <= 32 } id && id.All(char.IsAsciiDigit):
                    stored[property.Name] = id;
                    break;
                case "realmId" or "itemId":
                    errors.Add($"settings.{property.Name}", "must be QuickBooks' numeric id as a string.");
                    break;
                default:
                    errors.Add($"settings.{property.Name}", "is not a QuickBooks setting (realmId, itemId).");
                    break;
            }
        }

        if (credentials is { Count: > 0 })
        {
            errors.Add("credentials", "QuickBooks is connected by OAuth2: POST /api/v1/connections/{id}/authorizations and open the consent URL it answers.");
        }

        return JsonSerializer.SerializeToElement(stored);
    }

    public async Task<string> TestAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var info = await client.GetAsync(context, $"companyinfo/{Uri.EscapeDataString(RealmId(context.Settings) ?? "")}", [], cancellationToken);
        var name = info["CompanyInfo"]?["CompanyName"]?.ToString();
        return $"QuickBooks accepted the connection to company {name ?? RealmId(context.Settings)}.";
    }

    public SyncPlan Plan(ConnectorContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new SyncPlan(LeadsPage, JsonSerializer.Serialize(new QuickBooksCursor(now)));
    }

    public async Task<ConnectorPage> SyncPageAsync(ConnectorContext context, string page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(page);
        if (RealmId(context.Settings) is null)
        {
            throw new ConnectorException(ConnectorFailure.Unauthorized, "The connection has not been authorized with a QuickBooks company yet; connect it first.");
        }

        if (page.StartsWith(CustomerInvoicesPage, StringComparison.Ordinal))
        {
            return await CustomerInvoicesAsync(context, Guid.TryParse(page[CustomerInvoicesPage.Length..], out var after) ? after : null, cancellationToken);
        }

        return page == PaymentsPage
            ? await PaymentsAsync(context, cancellationToken)
            : page.StartsWith(LeadsPage, StringComparison.Ordinal)
                ? await LeadsAsync(context, page[LeadsPage.Length..] is { Length: > 0 } cursor ? cursor : null, cancellationToken)
                : throw new ConnectorException(ConnectorFailure.InvalidRequest, $"Unknown QuickBooks sync page '{page}'.");
    }

    public OAuthClientSettings Client(JsonElement settings) => client.OAuthClient();

    public JsonElement AcceptCallback(JsonElement settings, IReadOnlyDictionary<string, string> parameters, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(errors);
        var realm = parameters.GetValueOrDefault("realmId");
        if (realm is not { Length: > 0 and <= 32 } || !realm.All(char.IsAsciiDigit))
        {
            errors.Add("realmId", "is required: QuickBooks names the connected company in the callback.");
            return settings;
        }

        var stored = JsonNode.Parse(settings.GetRawText())!.AsObject();
        if (stored["realmId"]?.ToString() is { } before && before != realm)
        {
            errors.Add("realmId", "names another company than the one this connection syncs with; create a new connection for it.");
            return settings;
        }

        stored["realmId"] = realm;
        return JsonSerializer.SerializeToElement(stored);
    }

    internal static string? RealmId(JsonElement settings) =>
        settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty("realmId", out var realm) && realm.ValueKind == JsonValueKind.String ? realm.GetString() : null;

    private async Task<ConnectorPage> LeadsAsync(ConnectorContext context, string? cursor, CancellationToken cancellationToken)
    {
        var listed = await leads.ListAsync(context.TenantId, new LeadFilter(null, null, null, null, null, null, null, null, false),
            Math.Clamp(options.Value.LeadsPerPage, 1, 500), cursor, cancellationToken);
        var won = listed.Items.Where(lead => lead.Outcome?.Status == "won").ToList();
        var customers = await records.FindManyAsync(context.TenantId, context.ConnectionId, Customer, won.Select(l => l.Id).ToList(), cancellationToken);
        var invoices = await records.FindManyAsync(context.TenantId, context.ConnectionId, Invoice, won.Select(l => l.Id).ToList(), cancellationToken);
        var tally = new Tally { Seen = won.Count };
        // A business that invoices its customers in StreamFlow (field operations) books those invoices; a won lead then
        // only makes its customer, so that a sale is not invoiced twice.
        var fieldOps = await database.InTenantAsync(context.TenantId, QuickBooksStore.HasCustomerInvoicesAsync, cancellationToken);
        foreach (var lead in won)
        {
            var customer = await CustomerAsync(context, lead, customers.GetValueOrDefault(lead.Id), tally, cancellationToken);
            if (customer is not null && !fieldOps && lead.Outcome!.Value is { } value && decimal.TryParse(value.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) && amount > 0)
            {
                await InvoiceAsync(context, lead, amount, customer, invoices.GetValueOrDefault(lead.Id), tally, cancellationToken);
            }
        }

        return new ConnectorPage(tally.Seen, tally.Created, tally.Updated, tally.Skipped, tally.Failed,
            listed.NextCursor is { } next ? LeadsPage + next : fieldOps ? CustomerInvoicesPage : PaymentsPage);
    }

    /// <summary>
    /// The business's invoices to its customers: a sent one is created in QuickBooks once (its customer ensured first), a
    /// voided one that QuickBooks has is voided there.
    /// </summary>
    private async Task<ConnectorPage> CustomerInvoicesAsync(ConnectorContext context, Guid? after, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(options.Value.LeadsPerPage, 1, 500);
        var due = await database.InTenantAsync(context.TenantId, scope => QuickBooksStore.ToPushAsync(scope, context.ConnectionId, after, limit), cancellationToken);
        var tally = new Tally { Seen = due.Count };
        var actor = new FieldActor(context.TenantId, Guid.Empty, $"connection:{context.ConnectionId}", CanManage: true, RequestOrigin.None);
        foreach (var row in due)
        {
            if (row.Status == CustomerInvoiceStatus.Void)
            {
                await VoidAsync(context, row, tally, cancellationToken);
                continue;
            }

            var invoice = await customerInvoices.GetAsync(actor, row.Id, cancellationToken);
            if (!invoice.Succeeded)
            {
                tally.Skipped++;
                continue;
            }

            var customer = row.LeadId is { } leadId && await leads.GetAsync(context.TenantId, leadId, includeDeleted: false, cancellationToken) is { Succeeded: true } lead
                ? await CustomerAsync(context, lead.Value, await records.FindAsync(context.TenantId, context.ConnectionId, Customer, leadId, cancellationToken), tally, cancellationToken)
                : await CustomerByNameAsync(context, invoice.Value.CustomerName, tally, cancellationToken);
            if (customer is not null)
            {
                await PushCustomerInvoiceAsync(context, invoice.Value, customer, tally, cancellationToken);
            }
        }

        return new ConnectorPage(tally.Seen, tally.Created, tally.Updated, tally.Skipped, tally.Failed,
            due.Count == limit ? CustomerInvoicesPage + due[^1].Id.ToString() : PaymentsPage);
    }

    private async Task PushCustomerInvoiceAsync(ConnectorContext context, CustomerInvoice invoice, string customerId, Tally tally, CancellationToken cancellationToken)
    {
        var itemId = context.Settings.TryGetProperty("itemId", out var item) && item.GetString() is { } configured ? configured : "1";
        var lines = new JsonArray();
        foreach (var line in invoice.Lines)
        {
            lines.Add(new JsonObject
            {
                ["Amount"] = decimal.Parse(line.Amount.Amount, CultureInfo.InvariantCulture),
                ["DetailType"] = "SalesItemLineDetail",
                ["Description"] = Clip(line.Description, 4000),
                ["SalesItemLineDetail"] = new JsonObject
                {
                    ["ItemRef"] = new JsonObject { ["value"] = itemId },
                    ["Qty"] = line.Quantity,
                    ["UnitPrice"] = decimal.Parse(line.UnitPrice.Amount, CultureInfo.InvariantCulture),
                    ["TaxCodeRef"] = new JsonObject { ["value"] = line.Taxable ? "TAX" : "NON" },
                },
            });
        }

        var body = new JsonObject
        {
            ["CustomerRef"] = new JsonObject { ["value"] = customerId },
            ["DocNumber"] = invoice.Number,
            ["TxnDate"] = (invoice.SentAt ?? invoice.CreatedAt).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["DueDate"] = invoice.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Line"] = lines,
        };
        if (decimal.Parse(invoice.Tax.Amount, CultureInfo.InvariantCulture) is var tax and > 0)
        {
            body["TxnTaxDetail"] = new JsonObject { ["TotalTax"] = tax };
        }

        if (invoice.Notes is { Length: > 0 } notes)
        {
            body["CustomerMemo"] = new JsonObject { ["value"] = Clip(notes, 1000) };
        }

        try
        {
            var created = Entity(await client.PostAsync(context, "invoice", RequestId(context, CustomerInvoiceEntity, invoice.Id, "create"), body, cancellationToken), "Invoice");
            var balance = Amount(created["Balance"]);
            await records.SaveAsync(context, new ConnectorRecord(CustomerInvoiceEntity, invoice.Id, Id(created), SyncToken(created), null, balance == 0 ? "paid" : "open",
                Amount(created["TotalAmt"]) ?? decimal.Parse(invoice.Total.Amount, CultureInfo.InvariantCulture), balance, default, default),
                "created", $"{invoice.Number} sent in StreamFlow", cancellationToken);
            tally.Created++;
        }
        catch (QuickBooksFaultException fault)
        {
            await records.LogAsync(context, CustomerInvoiceEntity, invoice.Id, null, "failed", $"QuickBooks refused invoice {invoice.Number}: {fault.Message}", cancellationToken);
            tally.Failed++;
        }
    }

    // Voided in StreamFlow after it was pushed: voided in QuickBooks with its current SyncToken; a stale one (the bookkeeper
    // touched the invoice) is re-read and the void sent again once.
    private async Task VoidAsync(ConnectorContext context, CustomerInvoiceToPush row, Tally tally, CancellationToken cancellationToken)
    {
        var syncToken = row.SyncToken;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var voided = Entity(await client.PostOperationAsync(context, "invoice", "void", RequestId(context, CustomerInvoiceEntity, row.Id, $"void:{syncToken}"),
                    new JsonObject { ["Id"] = row.ExternalId, ["SyncToken"] = syncToken }, cancellationToken), "Invoice");
                var known = (await records.FindAsync(context.TenantId, context.ConnectionId, CustomerInvoiceEntity, row.Id, cancellationToken))!;
                await records.SaveAsync(context, known with { SyncToken = SyncToken(voided), RemoteStatus = "voided", RemoteBalance = Amount(voided["Balance"]) ?? 0 },
                    "updated", attempt > 0 ? "voided in StreamFlow; changed in QuickBooks meanwhile (stale SyncToken): re-read and voided" : "voided in StreamFlow", cancellationToken);
                tally.Updated++;
                return;
            }
            catch (QuickBooksFaultException fault) when (fault.IsStaleObject && attempt == 0)
            {
                syncToken = SyncToken(Entity(await client.GetAsync(context, $"invoice/{Uri.EscapeDataString(row.ExternalId!)}", [], cancellationToken), "Invoice"));
            }
            catch (QuickBooksFaultException fault)
            {
                await records.LogAsync(context, CustomerInvoiceEntity, row.Id, row.ExternalId, fault.IsStaleObject ? "conflict" : "failed",
                    $"QuickBooks did not void the invoice; the next sync tries again: {fault.Message}", cancellationToken);
                tally.Failed++;
                return;
            }
        }
    }

    // A customer invoice whose job came from no lead goes to the QuickBooks customer of its customer's name: linked when
    // the bookkeeper has one, else created once (the id map keys it by the name).
    private async Task<string?> CustomerByNameAsync(ConnectorContext context, string name, Tally tally, CancellationToken cancellationToken)
    {
        var localId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{context.ConnectionId:N}:customer-name:{name}")).AsSpan(0, 16));
        if (await records.FindAsync(context.TenantId, context.ConnectionId, CustomerByName, localId, cancellationToken) is { } known)
        {
            return known.ExternalId;
        }

        try
        {
            var displayName = Clip(name, 500);
            var existing = await FindCustomerByNameAsync(context, displayName, cancellationToken);
            var customer = existing ?? Entity(await client.PostAsync(context, "customer", RequestId(context, CustomerByName, localId, "create"),
                new JsonObject { ["DisplayName"] = displayName, ["CompanyName"] = Clip(name, 100) }, cancellationToken), "Customer");
            await records.SaveAsync(context, new ConnectorRecord(CustomerByName, localId, Id(customer), SyncToken(customer), null, null, null, null, default, default),
                existing is null ? "created" : "updated", existing is null ? null : "linked to the existing QuickBooks customer of the same name", cancellationToken);
            if (existing is null)
            {
                tally.Created++;
            }

            return Id(customer);
        }
        catch (QuickBooksFaultException fault)
        {
            await records.LogAsync(context, CustomerByName, localId, null, "failed", $"QuickBooks refused the customer: {fault.Message}", cancellationToken);
            tally.Failed++;
            return null;
        }
    }

    /// <summary>Creates or updates the lead's customer; StreamFlow wins for the fields it sends (a sparse update keeps the rest).</summary>
    private async Task<string?> CustomerAsync(ConnectorContext context, Lead lead, ConnectorRecord? known, Tally tally, CancellationToken cancellationToken)
    {
        var fields = CustomerFields(lead);
        var hash = Hash(fields.ToJsonString());
        if (known is not null && known.PushedHash == hash)
        {
            tally.Skipped++;
            return known.ExternalId;
        }

        try
        {
            if (known is null)
            {
                JsonObject created;
                try
                {
                    created = Entity(await client.PostAsync(context, "customer", RequestId(context, Customer, lead.Id, "create"), fields, cancellationToken), "Customer");
                }
                catch (QuickBooksFaultException fault) when (fault.IsDuplicateName)
                {
                    // A customer of that name exists already (the bookkeeper typed it in): link to it, then our fields go onto it.
                    var existing = await FindCustomerByNameAsync(context, fields["DisplayName"]!.ToString(), cancellationToken)
                        ?? throw new QuickBooksFaultException(fault.Code, fault.Message);
                    var linked = new ConnectorRecord(Customer, lead.Id, Id(existing), SyncToken(existing), null, null, null, null, default, default);
                    return await UpdateCustomerAsync(context, lead, linked, fields, hash, "linked to the existing QuickBooks customer of the same name", tally, cancellationToken);
                }

                await records.SaveAsync(context, new ConnectorRecord(Customer, lead.Id, Id(created), SyncToken(created), hash, null, null, null, default, default),
                    "created", null, cancellationToken);
                tally.Created++;
                return Id(created);
            }

            return await UpdateCustomerAsync(context, lead, known, fields, hash, null, tally, cancellationToken);
        }
        catch (QuickBooksFaultException fault)
        {
            await records.LogAsync(context, Customer, lead.Id, known?.ExternalId, "failed", $"QuickBooks refused the customer: {fault.Message}", cancellationToken);
            tally.Failed++;
            return known?.ExternalId;
        }
    }

    // A stale SyncToken (someone changed the customer in QuickBooks meanwhile) re-reads it and applies our fields once more.
    private async Task<string?> UpdateCustomerAsync(
        ConnectorContext context, Lead lead, ConnectorRecord known, JsonObject fields, string hash, string? why, Tally tally, CancellationToken cancellationToken)
    {
        var syncToken = known.SyncToken;
        for (var attempt = 0; ; attempt++)
        {
            var update = (JsonObject)fields.DeepClone();
            update["Id"] = known.ExternalId;
            update["SyncToken"] = syncToken;
            update["sparse"] = true;
            try
            {
                var updated = Entity(await client.PostAsync(context, "customer", RequestId(context, Customer, lead.Id, $"update:{hash}:{syncToken}"), update, cancellationToken), "Customer");
                await records.SaveAsync(context, known with { SyncToken = SyncToken(updated), PushedHash = hash }, "updated",
                    why ?? (attempt > 0 ? "changed in QuickBooks meanwhile (stale SyncToken): re-read and applied again" : null), cancellationToken);
                tally.Updated++;
                return known.ExternalId;
            }
            catch (QuickBooksFaultException fault) when (fault.IsStaleObject && attempt == 0)
            {
                var current = Entity(await client.GetAsync(context, $"customer/{Uri.EscapeDataString(known.ExternalId)}", [], cancellationToken), "Customer");
                syncToken = SyncToken(current);
            }
            catch (QuickBooksFaultException fault) when (fault.IsStaleObject)
            {
                await records.LogAsync(context, Customer, lead.Id, known.ExternalId, "conflict",
                    $"QuickBooks changed the customer again while it was re-read (stale SyncToken twice); the next sync tries again: {fault.Message}", cancellationToken);
                tally.Failed++;
                return known.ExternalId;
            }
        }
    }

    /// <summary>Creates the lead's invoice once; QuickBooks owns it afterwards (payments, edits, voids happen there).</summary>
    private async Task InvoiceAsync(ConnectorContext context, Lead lead, decimal amount, string customerId, ConnectorRecord? known, Tally tally, CancellationToken cancellationToken)
    {
        if (known is not null)
        {
            tally.Skipped++;
            return;
        }

        var itemId = context.Settings.TryGetProperty("itemId", out var item) && item.GetString() is { } configured ? configured : "1";
        var body = new JsonObject
        {
            ["CustomerRef"] = new JsonObject { ["value"] = customerId },
            ["DocNumber"] = DocNumber(lead.Id),
            ["Line"] = new JsonArray(new JsonObject
            {
                ["Amount"] = amount,
                ["DetailType"] = "SalesItemLineDetail",
                ["Description"] = Clip($"{Name(lead)} (StreamFlow lead {lead.Id})", 4000),
                ["SalesItemLineDetail"] = new JsonObject { ["ItemRef"] = new JsonObject { ["value"] = itemId } },
            }),
        };
        try
        {
            var created = Entity(await client.PostAsync(context, "invoice", RequestId(context, Invoice, lead.Id, "create"), body, cancellationToken), "Invoice");
            var balance = Amount(created["Balance"]);
            await records.SaveAsync(context, new ConnectorRecord(Invoice, lead.Id, Id(created), SyncToken(created), null, balance == 0 ? "paid" : "open",
                Amount(created["TotalAmt"]) ?? amount, balance, default, default), "created", null, cancellationToken);
            tally.Created++;
        }
        catch (QuickBooksFaultException fault)
        {
            await records.LogAsync(context, Invoice, lead.Id, null, "failed", $"QuickBooks refused the invoice: {fault.Message}", cancellationToken);
            tally.Failed++;
        }
    }

    /// <summary>Payments changed since the last completed sync (cdc): each invoice they apply to is re-read for its balance.</summary>
    private async Task<ConnectorPage> PaymentsAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        var since = QuickBooksCursor.Read(context.Cursor)?.PaymentsSince;
        var floor = time.GetUtcNow() - CdcLookBack + TimeSpan.FromHours(1);
        var changedSince = since is { } at && at > floor ? at : floor;
        var answer = await client.GetAsync(context, "cdc", [("entities", "Payment"), ("changedSince", changedSince.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))], cancellationToken);
        if (answer["CDCResponse"] is not JsonArray responses)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "QuickBooks answered cdc without CDCResponse.");
        }

        var payments = responses.OfType<JsonObject>().SelectMany(r => r["QueryResponse"] as JsonArray ?? []).OfType<JsonObject>()
            .SelectMany(q => q["Payment"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var tally = new Tally { Seen = payments.Count };
        var invoiceIds = payments.SelectMany(p => p["Line"] as JsonArray ?? []).OfType<JsonObject>()
            .SelectMany(line => line["LinkedTxn"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(txn => txn["TxnType"]?.ToString() == "Invoice" && txn["TxnId"] is not null).Select(txn => txn["TxnId"]!.ToString()).Distinct(StringComparer.Ordinal).ToList();
        foreach (var invoiceId in invoiceIds)
        {
            var known = await records.FindByExternalAsync(context.TenantId, context.ConnectionId, Invoice, invoiceId, cancellationToken)
                ?? await records.FindByExternalAsync(context.TenantId, context.ConnectionId, CustomerInvoiceEntity, invoiceId, cancellationToken);
            if (known is null)
            {
                await records.LogAsync(context, Invoice, null, invoiceId, "skipped", "a payment applies to an invoice StreamFlow did not create", cancellationToken);
                tally.Skipped++;
                continue;
            }

            var invoice = Entity(await client.GetAsync(context, $"invoice/{Uri.EscapeDataString(invoiceId)}", [], cancellationToken), "Invoice");
            var balance = Amount(invoice["Balance"]);
            var status = balance == 0 ? "paid" : balance < (Amount(invoice["TotalAmt"]) ?? known.RemoteAmount) ? "partially_paid" : "open";
            if (status == known.RemoteStatus && balance == known.RemoteBalance)
            {
                tally.Skipped++;
                continue;
            }

            var reason = $"payment received in QuickBooks: {status}, balance {balance?.ToString("0.00", CultureInfo.InvariantCulture)}";
            if (known.Entity == CustomerInvoiceEntity && status == "paid")
            {
                // Paid in the books: the customer invoice is paid in StreamFlow too (sent → paid; one already paid or void stays).
                var actor = new FieldActor(context.TenantId, Guid.Empty, $"connection:{context.ConnectionId}", CanManage: true, RequestOrigin.None);
                var moved = await customerInvoices.ChangeStatusAsync(actor, known.LocalId, new CustomerInvoiceStatusChange(CustomerInvoiceStatus.Paid, null), cancellationToken);
                reason += moved.Succeeded ? "; the customer invoice is marked paid" : $"; the customer invoice was not marked paid: {moved.Problem.Detail}";
            }

            await records.SaveAsync(context, known with { SyncToken = SyncToken(invoice), RemoteStatus = status, RemoteBalance = balance }, "updated", reason, cancellationToken);
            tally.Updated++;
        }

        return new ConnectorPage(tally.Seen, tally.Created, tally.Updated, tally.Skipped, tally.Failed, null);
    }

    private async Task<JsonObject?> FindCustomerByNameAsync(ConnectorContext context, string displayName, CancellationToken cancellationToken)
    {
        var escaped = displayName.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
        var answer = await client.GetAsync(context, "query", [("query", $"select * from Customer where DisplayName = '{escaped}'")], cancellationToken);
        return (answer["QueryResponse"]?["Customer"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
    }

    private static JsonObject CustomerFields(Lead lead)
    {
        var fields = new JsonObject { ["DisplayName"] = Clip(Name(lead), 500) };
        if (lead.FirstName is { Length: > 0 } first)
        {
            fields["GivenName"] = Clip(first, 100);
        }

        if (lead.LastName is { Length: > 0 } last)
        {
            fields["FamilyName"] = Clip(last, 100);
        }

        if (lead.Company is { Length: > 0 } company)
        {
            fields["CompanyName"] = Clip(company, 100);
        }

        if (lead.Email is { Length: > 0 } email)
        {
            fields["PrimaryEmailAddr"] = new JsonObject { ["Address"] = email };
        }

        if (lead.Phone is { Length: > 0 } phone)
        {
            fields["PrimaryPhone"] = new JsonObject { ["FreeFormNumber"] = Clip(phone, 30) };
        }

        if (lead.City is not null || lead.State is not null || lead.PostalCode is not null)
        {
            fields["BillAddr"] = new JsonObject { ["City"] = lead.City, ["CountrySubDivisionCode"] = lead.State, ["PostalCode"] = lead.PostalCode, ["Country"] = lead.Country };
        }

        return fields;
    }

    // QuickBooks requires unique display names; the lead's short id keeps two "John Smith"s apart.
    private static string Name(Lead lead)
    {
        var person = string.Join(' ', new[] { lead.FirstName, lead.LastName }.Where(part => !string.IsNullOrWhiteSpace(part)));
        var name = lead.Company is { Length: > 0 } company ? person.Length > 0 ? $"{company} ({person})" : company : person.Length > 0 ? person : "StreamFlow customer";
        return $"{name} [{lead.Id.ToString("N")[^6..]}]";
    }

    /// <summary>QuickBooks' DocNumber is at most 21 characters.</summary>
    internal static string DocNumber(Guid leadId) => "SF-" + leadId.ToString("N")[..6] + leadId.ToString("N")[^12..];

    // The same write after a crash carries the same requestid, which QuickBooks answers with the first outcome.
    private static string RequestId(ConnectorContext context, string entity, Guid localId, string what) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{context.ConnectionId:N}:{entity}:{localId:N}:{what}")))[..36];

    private static JsonObject Entity(JsonObject answer, string name) =>
        answer[name] as JsonObject ?? throw new ConnectorException(ConnectorFailure.Unavailable, $"QuickBooks answered without the {name}.");

    private static string Id(JsonObject entity) =>
        entity["Id"]?.ToString() is { Length: > 0 } id ? id : throw new ConnectorException(ConnectorFailure.Unavailable, "QuickBooks answered an entity without Id.");

    private static string? SyncToken(JsonObject entity) => entity["SyncToken"]?.ToString();

    private static decimal? Amount(JsonNode? node) =>
        node is JsonValue value && (value.TryGetValue<decimal>(out var number) || decimal.TryParse(value.ToString(), NumberStyles.Number, CultureInfo.InvariantCulture, out number))
            ? number
            : null;

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Clip(string text, int length) => text.Length > length ? text[..length] : text;

    private sealed class Tally
    {
        public int Seen { get; set; }

        public int Created { get; set; }

        public int Updated { get; set; }

        public int Skipped { get; set; }

        public int Failed { get; set; }
    }
}

/// <summary>What a QuickBooks connection keeps between syncs: where the next payments cdc starts.</summary>
internal sealed record QuickBooksCursor(DateTimeOffset PaymentsSince)
{
    public static QuickBooksCursor? Read(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<QuickBooksCursor>(cursor);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
