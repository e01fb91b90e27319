using System.Text;
using Azure.Storage.Blobs;
using StreamFlow.Core.Storage;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Backups;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Privacy;
using StreamFlow.Core.Privacy.SubjectRequests;
using StreamFlow.Core.Tenancy;
using StreamFlow.IntegrationTests.Backups;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Privacy;

namespace StreamFlow.IntegrationTests.Privacy;

/// <summary>
/// Data-subject requests on the real database, Azurite and the real orchestration in a DurableTaskTestHost: an export
/// gathers the person's records across features, an erasure clears them (invoices kept, pseudonymised) and suppresses
/// the person in restored backups, an unknown person completes with nothing found.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class SubjectRequestTests(TestServices services) : IAsyncLifetime
{
    private const string Actor = "user:00000000-0000-0000-0000-0000000000aa";
    private readonly BackupTestServices _backups = new(services);
    private readonly List<(string Database, string Tag)> _restored = [];
    private DurableTaskTestHost _host = null!;

    public async Task InitializeAsync() => _host = await DurableTestHosts.StartAsync(
        registry =>
        {
            registry.AddOrchestrator(TaskNames.SubjectRequest, () => new SubjectRequestOrchestrator());
            registry.AddActivity(TaskNames.BeginSubjectRequest, p => p.GetRequiredService<BeginSubjectRequestActivity>());
            registry.AddActivity(TaskNames.RunSubjectRequest, p => p.GetRequiredService<RunSubjectRequestActivity>());
            registry.AddActivity(TaskNames.FailSubjectRequest, p => p.GetRequiredService<FailSubjectRequestActivity>());
        },
        new DurableTaskTestHostOptions { ConfigureServices = collection => _backups.Register(collection) });

    public async Task DisposeAsync()
    {
        foreach (var (database, tag) in _restored)
        {
            await _backups.Get<DatabaseRestoreService>().DropAsync(database, tag, CancellationToken.None);
        }

        await _host.DisposeAsync();
        await _backups.DisposeAsync();
    }

    [Fact]
    public async Task An_export_gathers_the_persons_leads_timeline_quotes_jobs_and_invoices_as_json_and_csv()
    {
        var tenant = await TenantAsync();
        var person = await PersonWithRecordsAsync(tenant, "dana.subject@example.com", "+15125550123");
        await CreateLeadAsync(tenant, "someone.else@example.com", null, "Other");

        var status = await RunAsync(tenant, new SubjectRequestInput("export", " Dana.Subject@Example.com ", null));

        Assert.Equal("completed", status.Status);
        Assert.False(status.NothingFound);
        Assert.Equal(1, status.Found["leads"]);
        Assert.True(status.Found["activities"] >= 2, "the created entry and the note");
        Assert.Equal(1, status.Found["quotes"]);
        Assert.Equal(1, status.Found["jobs"]);
        Assert.Equal(1, status.Found["customerInvoices"]);
        Assert.NotNull(status.Downloads);
        var json = await DownloadAsync(tenant, status.Id, "json");
        var document = JsonNode.Parse(json)!;
        var lead = document["leads"]![0]!;
        Assert.Equal(person.LeadId.ToString(), lead["id"]!.ToString());
        Assert.Equal("dana.subject@example.com", lead["email"]!.ToString());
        Assert.Equal("+15125550123", lead["phone"]!.ToString());
        Assert.Equal(("78701", "TX", "Austin", "US"), (lead["postal_code"]!.ToString(), lead["state"]!.ToString(), lead["city"]!.ToString(), lead["country"]!.ToString()));
        Assert.DoesNotContain("city_sealed", json, StringComparison.Ordinal);
        Assert.Contains(lead["activities"]!.AsArray(), a => a!["body"]?.ToString() == "Prefers morning calls");
        Assert.Equal("dana.subject@example.com", lead["emailsSent"]![0]!["to"]!.ToString());
        Assert.Equal("Dana Subject", document["customerInvoices"]![0]!["customer_name"]!.ToString());
        Assert.DoesNotContain("someone.else", json, StringComparison.Ordinal);
        Assert.DoesNotContain("email_sealed", json, StringComparison.Ordinal);
        var csv = await DownloadAsync(tenant, status.Id, "csv");
        Assert.StartsWith("record_type,record_id,lead_id,field,value\r\n", csv, StringComparison.Ordinal);
        Assert.Contains($"lead,{person.LeadId},{person.LeadId},email,dana.subject@example.com", csv, StringComparison.Ordinal);
        Assert.Contains($"lead,{person.LeadId},{person.LeadId},city,Austin", csv, StringComparison.Ordinal);
        Assert.Contains("customerInvoices,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_is_for_its_requester_only_and_every_download_is_audited()
    {
        var tenant = await TenantAsync();
        await CreateLeadAsync(tenant, "only-mine@example.com", null, "Mine");
        var status = await RunAsync(tenant, new SubjectRequestInput("export", "only-mine@example.com", null));

        var other = await Requests().DownloadAsync(tenant, "user:00000000-0000-0000-0000-0000000000bb", RequestOrigin.None, status.Id, "json", default);
        var badFormat = await Requests().DownloadAsync(tenant, Actor, RequestOrigin.None, status.Id, "xml", default);
        await DownloadAsync(tenant, status.Id, "csv");

        Assert.Equal(ProblemKind.NotFound, other.Problem?.Kind);
        Assert.Equal(ProblemKind.Validation, badFormat.Problem?.Kind);
        var actions = await AuditActionsAsync(tenant);
        Assert.Contains("privacy.export.requested", actions);
        Assert.Contains("privacy.export.completed", actions);
        Assert.Contains("privacy.export.downloaded", actions);
    }

    [Fact]
    public async Task An_erasure_clears_the_person_everywhere_keeps_invoices_pseudonymised_and_leaves_a_tombstone_without_personal_data()
    {
        var tenant = await TenantAsync();
        var person = await PersonWithRecordsAsync(tenant, "erase.me@example.com", "+15125550188");
        var bystander = await CreateLeadAsync(tenant, "stays@example.com", null, "Bystander");

        var status = await RunAsync(tenant, new SubjectRequestInput("erasure", null, "+1 (512) 555-0188"));

        Assert.Equal("completed", status.Status);
        Assert.Equal(1, status.Found["leads"]);
        Assert.Equal(1, status.Found["customerInvoicesPseudonymised"]);
        Assert.Equal(2, status.Found["suppressedIdentifiers"]);
        var pseudonym = SubjectRequestService.Pseudonym(status.Id);
        var rows = await InTenantAsync(tenant, scope => scope.Connection.QuerySingleAsync<(string? First, byte[]? Email, byte[]? Index, DateTime? Erased, long Activities, string QuoteName, string? QuoteEmail, string JobName, string InvoiceName, long InvoiceTotal, string Note)>("""
            SELECT l.first_name, l.email_sealed, l.email_index, l.erased_at,
                   (SELECT count(*) FROM lead_activities a WHERE a.lead_id = l.id),
                   (SELECT customer_name FROM quotes WHERE lead_id = l.id), (SELECT customer_email FROM quotes WHERE lead_id = l.id),
                   (SELECT customer_name FROM jobs WHERE lead_id = l.id),
                   (SELECT customer_name FROM customer_invoices WHERE id = @InvoiceId), (SELECT total_minor FROM customer_invoices WHERE id = @InvoiceId),
                   (SELECT text FROM visit_notes WHERE visit_id = @VisitId)
            FROM leads l WHERE l.id = @LeadId
            """, new { person.LeadId, person.InvoiceId, person.VisitId }, scope.Transaction));
        Assert.Null(rows.First);
        Assert.Null(rows.Email);
        Assert.Null(rows.Index);
        Assert.NotNull(rows.Erased);
        Assert.Equal(0, rows.Activities);
        Assert.Equal((pseudonym, (string?)null, pseudonym, pseudonym), (rows.QuoteName, rows.QuoteEmail, rows.JobName, rows.InvoiceName));
        Assert.Equal(10825, rows.InvoiceTotal);
        Assert.Equal("(erased)", rows.Note);
        var address = await InTenantAsync(tenant, scope => scope.Connection.QuerySingleAsync<int>("""
            SELECT num_nonnulls(postal_code_sealed, state_sealed, city_sealed, country_sealed, state_index, postal_area_index,
                                plain_postal_code, plain_state, plain_city, plain_country)
            FROM leads WHERE id = @LeadId
            """, new { person.LeadId }, scope.Transaction));
        Assert.Equal(0, address);
        Assert.Equal("stays@example.com", (await services.Get<LeadService>().GetAsync(tenant, bystander, false, default)).Value!.Email);
        var tombstone = await InTenantAsync(tenant, scope => scope.Connection.QuerySingleAsync<string>(
            "SELECT details::text FROM audit_log WHERE action = 'privacy.erasure.completed' AND target = @Target",
            new { Target = $"privacy-request:{status.Id}" }, scope.Transaction));
        Assert.Contains("\"leads\": 1", tombstone, StringComparison.Ordinal);
        Assert.DoesNotContain("erase.me", tombstone, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("5550188", tombstone, StringComparison.Ordinal);
        Assert.DoesNotContain("Dana", tombstone, StringComparison.Ordinal);
        var suppressions = await InTenantAsync(tenant, scope => scope.Connection.QueryAsync<(string Kind, byte[] Index)>(
            "SELECT kind, blind_index FROM privacy_suppressions", null, scope.Transaction));
        Assert.Equal(["email", "phone"], suppressions.Select(s => s.Kind).Order());
        Assert.All(suppressions, s => Assert.Equal(32, s.Index.Length));
    }

    [Fact]
    public async Task An_erasure_also_reaches_tasks_the_change_feed_webhook_payloads_and_visit_photos_and_signature_images()
    {
        var tenant = await TenantAsync();
        var person = await PersonWithRecordsAsync(tenant, "erase.all@example.com", "+15125550177");
        var bystander = await CreateLeadAsync(tenant, "bystander@example.com", null, "Bystander");
        var (linkedTask, namingTask, otherTask) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        var (personEvent, otherEvent) = ($"msg_{Guid.NewGuid():N}", $"msg_{Guid.NewGuid():N}");
        var container = services.Get<BlobServiceClient>().GetBlobContainerClient(BlobContainerNames.Documents);
        await container.CreateIfNotExistsAsync();
        var (photoBlob, signatureBlob) = ($"visits/{tenant}/{Guid.NewGuid():N}.jpg", $"visits/{tenant}/{Guid.NewGuid():N}.png");
        await container.GetBlobClient(photoBlob).UploadAsync(BinaryData.FromString("a photo of the house"));
        await container.GetBlobClient(signatureBlob).UploadAsync(BinaryData.FromString("a signature"));
        await InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync("""
            INSERT INTO tasks (id, tenant_id, title, notes, lead_id, created_by, created_at, updated_at) VALUES
                (@LinkedTask, @Tenant, 'Call back about the boiler', 'Mobile 512 555 0177', @LeadId, 'test', now(), now()),
                (@NamingTask, @Tenant, 'Send warranty papers to Dana Subject', NULL, NULL, 'test', now(), now()),
                (@OtherTask, @Tenant, 'Order filters', 'For Bystander', NULL, 'test', now(), now());
            INSERT INTO visit_photos (id, tenant_id, visit_id, blob_name, content_type, size_bytes, sha256, caption, uploaded_by, created_at)
            VALUES (gen_random_uuid(), @Tenant, @VisitId, @PhotoBlob, 'image/jpeg', 20, '\x00', 'Front door of Dana', 'test', now());
            INSERT INTO visit_signatures (visit_id, tenant_id, signer_name, signed_at, blob_name, content_type, size_bytes, captured_by)
            VALUES (@VisitId, @Tenant, 'Dana Subject', now(), @SignatureBlob, 'image/png', 11, 'test');
            INSERT INTO webhook_messages (id, tenant_id, event_type, occurred_at, payload, created_at, dispatched_at) VALUES
                (@PersonEvent, @Tenant, 'lead.updated', now(), jsonb_build_object('data', jsonb_build_object('id', @LeadId, 'email', 'erase.all@example.com')), now(), now()),
                (@OtherEvent, @Tenant, 'lead.updated', now(), jsonb_build_object('data', jsonb_build_object('id', @Bystander, 'email', 'bystander@example.com')), now(), now());
            """, new
        {
            Tenant = tenant, person.LeadId, person.VisitId, LinkedTask = linkedTask, NamingTask = namingTask, OtherTask = otherTask,
            PhotoBlob = photoBlob, SignatureBlob = signatureBlob, PersonEvent = personEvent, OtherEvent = otherEvent, Bystander = bystander,
        }, scope.Transaction));

        var status = await RunAsync(tenant, new SubjectRequestInput("erasure", "erase.all@example.com", null));

        Assert.Equal("completed", status.Status);
        var pseudonym = SubjectRequestService.Pseudonym(status.Id);
        Assert.True(status.Found["tasks"] >= 2, "the linked task and the one naming the person");
        Assert.Equal(1, status.Found["visitPhotos"]);
        Assert.Equal(1, status.Found["signatureImages"]);
        Assert.True(status.Found["events"] >= 1, "the seeded event and the lead's own events");
        var tasks = (await InTenantAsync(tenant, scope => scope.Connection.QueryAsync<(Guid Id, string Title, string? Notes)>(
            "SELECT id, title, notes FROM tasks WHERE id = ANY(@Ids)", new { Ids = new[] { linkedTask, namingTask, otherTask } }, scope.Transaction)))
            .ToDictionary(t => t.Id);
        Assert.Equal(($"Task about {pseudonym}", (string?)null), (tasks[linkedTask].Title, tasks[linkedTask].Notes));
        Assert.Equal(($"Task about {pseudonym}", (string?)null), (tasks[namingTask].Title, tasks[namingTask].Notes));
        Assert.Equal(("Order filters", (string?)"For Bystander"), (tasks[otherTask].Title, tasks[otherTask].Notes));
        var media = await InTenantAsync(tenant, scope => scope.Connection.QuerySingleAsync<(long Photos, string SignatureBlob, string Signer)>(
            "SELECT (SELECT count(*) FROM visit_photos WHERE visit_id = @VisitId), blob_name, signer_name FROM visit_signatures WHERE visit_id = @VisitId",
            new { person.VisitId }, scope.Transaction));
        Assert.Equal((0L, "(erased)", pseudonym), media);
        Assert.False((await container.GetBlobClient(photoBlob).ExistsAsync()).Value);
        Assert.False((await container.GetBlobClient(signatureBlob).ExistsAsync()).Value);
        var payloads = (await InTenantAsync(tenant, scope => scope.Connection.QueryAsync<(string Id, string Payload)>(
            "SELECT id, payload::text FROM webhook_messages", null, scope.Transaction))).ToDictionary(m => m.Id, m => m.Payload);
        Assert.Equal($"{{\"erased\": true, \"subject\": \"{pseudonym}\"}}", payloads[personEvent]);
        Assert.Contains("bystander@example.com", payloads[otherEvent], StringComparison.Ordinal);
        Assert.All(payloads.Values, p => Assert.DoesNotContain(person.LeadId.ToString(), p, StringComparison.Ordinal));
        Assert.All(payloads.Values, p => Assert.DoesNotContain("erase.all", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_person_completes_with_nothing_found_and_a_second_run_changes_nothing()
    {
        var tenant = await TenantAsync();
        await CreateLeadAsync(tenant, "known@example.com", null, "Known");

        var status = await RunAsync(tenant, new SubjectRequestInput("erasure", "nobody@example.com", null));
        var again = await Requests().RunAsync(tenant, status.Id, default);

        Assert.Equal("completed", status.Status);
        Assert.True(status.NothingFound);
        Assert.Equal(0, status.Found["leads"]);
        Assert.Equal(0, again["leads"]);
        Assert.Single((await services.Get<LeadService>().ListAsync(tenant, new LeadFilter(null, null, null, null, null, null, null, null, false), 10, null, default)).Items);
    }

    [Theory]
    [InlineData("forget", "a@example.com", null, "kind")]
    [InlineData("export", null, null, "email")]
    [InlineData("export", "a@example.com", "+15125550100", "email")]
    [InlineData("export", "not an email", null, "email")]
    [InlineData("erasure", null, "call me", "phone")]
    public async Task A_request_without_exactly_one_valid_identifier_or_kind_is_refused_and_records_nothing(string kind, string? email, string? phone, string field)
    {
        var tenant = await TenantAsync();

        var started = await Requests().StartAsync(tenant, Actor, RequestOrigin.None, new SubjectRequestInput(kind, email, phone), default);

        Assert.Equal(ProblemKind.Validation, started.Problem?.Kind);
        Assert.Contains(field, started.Problem!.Errors!.Keys);
        Assert.Equal(0, await InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<long>("SELECT count(*) FROM privacy_requests", null, scope.Transaction)));
    }

    [Fact]
    public async Task A_restore_of_a_backup_taken_before_an_erasure_does_not_bring_the_person_back()
    {
        var tenant = await TenantAsync();
        var person = await PersonWithRecordsAsync(tenant, "restored.person@example.com", "+15125550177");
        var bystander = await CreateLeadAsync(tenant, "restored.bystander@example.com", null, "Bystander");
        var backup = await _backups.Get<DatabaseBackupService>().TakeAsync(BackupId.Create(DateTimeOffset.UtcNow, Guid.NewGuid()), CancellationToken.None);
        var erasure = await RunAsync(tenant, new SubjectRequestInput("erasure", "restored.person@example.com", null));
        var target = $"privacy_restore_{Guid.NewGuid():N}"[..40];
        _restored.Add((target, target));

        var summary = await _backups.Get<DatabaseRestoreService>().RestoreAsync(
            new RestoreRequest(backup.BackupId, target, target, ApplyNewerMigrations: true, ApplyFilters: true), null, CancellationToken.None);

        Assert.True(summary.RecordsFiltered >= 1);
        await using var restoredPool = NpgsqlDataSource.Create(_backups.Get<BackupConnections>().AppConnectionString(target));
        var restored = new StreamFlowDatabase(restoredPool);
        var rows = await restored.InTenantAsync(tenant, scope => scope.Connection.QueryAsync<(Guid Id, string? First, byte[]? Email, DateTime? Erased, string? InvoiceName)>("""
            SELECT l.id, l.first_name, l.email_sealed, l.erased_at, (SELECT customer_name FROM customer_invoices WHERE id = @InvoiceId)
            FROM leads l WHERE l.id IN (@LeadId, @Bystander)
            """, new { person.LeadId, person.InvoiceId, Bystander = bystander }, scope.Transaction), CancellationToken.None);
        var erased = Assert.Single(rows, r => r.Id == person.LeadId);
        Assert.Null(erased.First);
        Assert.Null(erased.Email);
        Assert.NotNull(erased.Erased);
        Assert.Equal(SubjectRequestService.Pseudonym(erasure.Id), erased.InvoiceName);
        var kept = Assert.Single(rows, r => r.Id == bystander);
        Assert.Equal("Bystander", kept.First);
        Assert.NotNull(kept.Email);
        Assert.Equal(2, await restored.InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM privacy_suppressions", null, scope.Transaction), CancellationToken.None));
    }

    private SubjectRequestService Requests() => _backups.Get<SubjectRequestService>();

    private async Task<SubjectRequestStatus> RunAsync(Guid tenant, SubjectRequestInput input)
    {
        var started = await Requests().StartAsync(tenant, Actor, RequestOrigin.None, input, default);
        Assert.True(started.Succeeded, started.Problem?.Detail);
        var instance = await _host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.SubjectRequest, new SubjectRequestRun(tenant, started.Value));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var metadata = await _host.Client.WaitForInstanceCompletionAsync(instance, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return (await Requests().StatusAsync(tenant, started.Value, "/api", default))!;
    }

    private async Task<string> DownloadAsync(Guid tenant, Guid id, string format)
    {
        var file = await Requests().DownloadAsync(tenant, Actor, RequestOrigin.None, id, format, default);
        Assert.True(file.Succeeded, file.Problem?.Detail);
        return Encoding.UTF8.GetString(file.Value.Content);
    }

    private Task<T> InTenantAsync<T>(Guid tenant, Func<DbTransactionScope, Task<T>> work) =>
        services.Get<StreamFlowDatabase>().InTenantAsync(tenant, work, default);

    private async Task<List<string>> AuditActionsAsync(Guid tenant) =>
        (await InTenantAsync(tenant, scope => scope.Connection.QueryAsync<string>("SELECT action FROM audit_log WHERE tenant_id = @Tenant", new { Tenant = tenant }, scope.Transaction))).ToList();

    private async Task<Guid> CreateLeadAsync(Guid tenant, string? email, string? phone, string firstName, LeadAddress? address = null)
    {
        var created = await services.Get<LeadService>().CreateAsync(new LeadActor(tenant, "test", true),
            new LeadInput(firstName, "Subject", null, email, phone, "Reference", null, address?.PostalCode, address?.State, address?.City, address?.Country, null, null, null, null),
            mergeDuplicate: false, default);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        return created.Value.Lead.Id;
    }

    /// <summary>A lead with a note, a sent quote, a job with a visit and its note, and a customer invoice billing the visit.</summary>
    private async Task<(Guid LeadId, Guid InvoiceId, Guid VisitId)> PersonWithRecordsAsync(Guid tenant, string email, string phone)
    {
        var leadId = await CreateLeadAsync(tenant, email, phone, "Dana", new LeadAddress("78701", "TX", "Austin", "US"));
        Assert.True((await services.Get<LeadService>().AddNoteAsync(new LeadActor(tenant, "test", true), leadId, "Prefers morning calls", default)).Succeeded);
        var (jobId, visitId, quoteId, invoiceId) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync("""
            INSERT INTO jobs (id, tenant_id, lead_id, customer_name, title, address, latitude, longitude, created_at, updated_at)
            VALUES (@JobId, @Tenant, @LeadId, 'Dana Subject', 'Boiler service', '12 Elm Street, Austin', 30.27, -97.74, now(), now());
            INSERT INTO visits (id, tenant_id, job_id, window_start, window_end, duration_minutes, status, notes, created_at, updated_at, status_changed_at)
            VALUES (@VisitId, @Tenant, @JobId, now(), now() + interval '2 hours', 60, 'completed', 'Gate code 1234', now(), now(), now());
            INSERT INTO visit_notes (id, tenant_id, visit_id, author, text, created_at)
            VALUES (gen_random_uuid(), @Tenant, @VisitId, 'test', 'Dana asked about the warranty', now());
            INSERT INTO quotes (id, tenant_id, lead_id, number, version, status, title, customer_name, customer_email, service_address, latitude, longitude,
                                currency, lines, tax_rate, subtotal_minor, tax_minor, total_minor, deposit_minor, sent_at, created_by, created_at, updated_at)
            VALUES (@QuoteId, @Tenant, @LeadId, 1, 1, 'sent', 'Boiler service', 'Dana Subject', @Email, '12 Elm Street, Austin', 30.27, -97.74,
                    'USD', '[]', 8.25, 10000, 825, 10825, 0, now(), 'test', now(), now());
            INSERT INTO customer_invoices (id, tenant_id, number, status, customer_name, currency, tax_rate, lines, subtotal_minor, tax_minor, total_minor,
                                           notes, due_on, created_by, created_at, updated_at)
            VALUES (@InvoiceId, @Tenant, 1, 'sent', 'Dana Subject', 'USD', 8.25, '[]', 10000, 825, 10825, 'Call Dana before', current_date + 30, 'test', now(), now());
            INSERT INTO customer_invoice_items (tenant_id, invoice_id, visit_id) VALUES (@Tenant, @InvoiceId, @VisitId);
            """, new { Tenant = tenant, LeadId = leadId, JobId = jobId, VisitId = visitId, QuoteId = quoteId, InvoiceId = invoiceId, Email = email }, scope.Transaction));
        return (leadId, invoiceId, visitId);
    }

    private async Task<Guid> TenantAsync()
    {
        var slug = $"dsr-{Guid.NewGuid():N}"[..20];
        return (await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Subject requests", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!.Tenant.Id;
    }
}
