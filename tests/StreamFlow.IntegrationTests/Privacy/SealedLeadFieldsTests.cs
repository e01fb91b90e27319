using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Privacy;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.Privacy;

/// <summary>
/// Leads' email, phone, notes and address sealed per tenant on the real database: nothing readable in the row, found again through the
/// blind indexes, and a value moved to another row or opened under another key answers a clear error.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class SealedLeadFieldsTests(TestServices services)
{
    private static readonly LeadFilter NoFilter = new(null, null, null, null, null, null, null, null, false);

    [Fact]
    public async Task The_row_holds_no_readable_email_or_phone_and_the_api_reads_them_back()
    {
        var tenant = await TenantAsync();
        var lead = await CreateAsync(tenant, "Dana@Example.com", "+1 512 555 0142");

        var row = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.QuerySingleOrDefaultAsync<(byte[] Email, byte[] Phone, int Version, string? Plain)>(
            "SELECT email_sealed, phone_sealed, personal_key_version, coalesce(plain_email, plain_phone) FROM leads WHERE id = @Id", new { lead.Id }), default);

        Assert.Null(row.Plain);
        Assert.DoesNotContain("dana@example.com", Encoding.UTF8.GetString(row.Email), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("5125550142", Encoding.UTF8.GetString(row.Phone), StringComparison.Ordinal);
        Assert.Equal(TenantKeys.VersionOf(row.Email), row.Version);
        var read = (await Leads().GetAsync(tenant, lead.Id, false, default)).Value!;
        Assert.Equal("dana@example.com", read.Email);
        Assert.Equal("+15125550142", read.Phone);
    }

    [Fact]
    public async Task Duplicates_exact_filters_and_the_search_find_leads_through_the_blind_index()
    {
        var tenant = await TenantAsync();
        var lead = await CreateAsync(tenant, "sam@example.com", "+15125550100");
        await CreateAsync(tenant, "other@example.com", "+15125550199");

        var duplicate = await Leads().CreateAsync(Actor(tenant), Input("  SAM@example.com ", null), mergeDuplicate: false, default);
        Assert.Equal(ProblemKind.Conflict, duplicate.Problem?.Kind);
        Assert.Equal(lead.Id, duplicate.Problem!.Extensions!["existingLeadId"]);
        var byPhone = await Leads().CreateAsync(Actor(tenant), Input(null, "+1 (512) 555-0100"), mergeDuplicate: false, default);
        Assert.Equal(ProblemKind.Conflict, byPhone.Problem?.Kind);

        Assert.Equal(2, (await Leads().ListAsync(tenant, NoFilter, 10, null, default)).Items.Count);
        Assert.Equal(lead.Id, Assert.Single((await Leads().ListAsync(tenant, NoFilter with { Email = "Sam@Example.com " }, 10, null, default)).Items).Id);
        Assert.Equal(lead.Id, Assert.Single((await Leads().ListAsync(tenant, NoFilter with { Phone = "+1 512-555-0100" }, 10, null, default)).Items).Id);
        Assert.Equal(lead.Id, Assert.Single((await Leads().ListAsync(tenant, NoFilter with { Query = "sam@example.com" }, 10, null, default)).Items).Id);
        Assert.Empty((await Leads().ListAsync(tenant, NoFilter with { Query = "sam@exam" }, 10, null, default)).Items);
    }

    [Fact]
    public async Task Notes_are_sealed_in_the_row_read_back_whole_and_found_by_whole_words_only()
    {
        var tenant = await TenantAsync();
        const string notes = "Gate code 4411. Boiler replacement in the basement, call Priya after 5pm.";
        var lead = await CreateAsync(tenant, "notes@example.com", null, notes);
        await CreateAsync(tenant, "other-notes@example.com", null, "Roof inspection only.");

        var row = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.QuerySingleOrDefaultAsync<(byte[] Sealed, long[] Terms, string? Plain)>(
            "SELECT notes_sealed, notes_terms, plain_notes FROM leads WHERE id = @Id", new { lead.Id }), default);

        Assert.Null(row.Plain);
        Assert.DoesNotContain("Priya", Encoding.UTF8.GetString(row.Sealed), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(12, row.Terms.Length);
        Assert.Equal(notes, (await Leads().GetAsync(tenant, lead.Id, false, default)).Value!.Notes);
        Assert.Equal(lead.Id, Assert.Single((await Leads().ListAsync(tenant, NoFilter with { Query = "priya" }, 10, null, default)).Items).Id);
        Assert.Equal(lead.Id, Assert.Single((await Leads().ListAsync(tenant, NoFilter with { Query = "BOILER basement" }, 10, null, default)).Items).Id);
        Assert.Empty((await Leads().ListAsync(tenant, NoFilter with { Query = "boiler attic" }, 10, null, default)).Items);
        Assert.Empty((await Leads().ListAsync(tenant, NoFilter with { Query = "boil" }, 10, null, default)).Items);

        var changed = await Leads().UpdateAsync(Actor(tenant), lead.Id, new LeadUpdate(Input(null, null) with { FirstName = null, Source = null, Notes = "Attic fan only." }, null), default);
        Assert.True(changed.Succeeded, changed.Problem?.ToString());
        Assert.Empty((await Leads().ListAsync(tenant, NoFilter with { Query = "priya" }, 10, null, default)).Items);
        Assert.Equal(lead.Id, Assert.Single((await Leads().ListAsync(tenant, NoFilter with { Query = "attic" }, 10, null, default)).Items).Id);
    }

    [Fact]
    public async Task Notes_moved_to_another_row_fail_authentication_and_another_tenant_cannot_find_them_by_word()
    {
        var tenant = await TenantAsync();
        var other = await TenantAsync();
        var from = await CreateAsync(tenant, "from-notes@example.com", null, "Dog in the yard, ask for Marisol.");
        var to = await CreateAsync(tenant, "to-notes@example.com", null, "Nothing special.");
        await CreateAsync(other, "marisol@example.com", null, "Ask for Marisol.");

        await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            "UPDATE leads SET notes_sealed = (SELECT notes_sealed FROM leads WHERE id = @From) WHERE id = @To", new { From = from.Id, To = to.Id }, scope.Transaction), default);

        var error = await Assert.ThrowsAsync<PersonalDataUnavailableException>(() => Leads().GetAsync(tenant, to.Id, false, default));
        Assert.Contains($"leads.notes of {to.Id} does not authenticate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Marisol", error.Message, StringComparison.Ordinal);
        var termsOfOther = await services.Get<StreamFlowDatabase>().InTenantAsync(other, scope => scope.QuerySingleOrDefaultAsync<long[]>(
            "SELECT notes_terms FROM leads LIMIT 1"), default);
        var keys = await services.Get<TenantKeyring>().ForTenantAsync(tenant, default);
        Assert.NotNull(termsOfOther);
        Assert.DoesNotContain(PersonalFields.NoteTerms(keys, "marisol")![0], termsOfOther!);
    }

    [Fact]
    public async Task A_note_the_backfill_has_not_sealed_yet_reads_as_it_stands_and_the_next_change_seals_it()
    {
        var tenant = await TenantAsync();
        var lead = await CreateAsync(tenant, "waiting@example.com", null);
        await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            "UPDATE leads SET plain_notes = 'Old note about the crawlspace' WHERE id = @Id", new { lead.Id }, scope.Transaction), default);

        Assert.Equal("Old note about the crawlspace", (await Leads().GetAsync(tenant, lead.Id, false, default)).Value!.Notes);
        var changed = await Leads().UpdateAsync(Actor(tenant), lead.Id, new LeadUpdate(Input(null, null) with { FirstName = "Dane", Source = null }, null), default);
        Assert.True(changed.Succeeded, changed.Problem?.ToString());
        Assert.Equal("Old note about the crawlspace", changed.Value!.Notes);

        var row = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.QuerySingleOrDefaultAsync<(byte[]? Sealed, string? Plain)>(
            "SELECT notes_sealed, plain_notes FROM leads WHERE id = @Id", new { lead.Id }), default);
        Assert.NotNull(row.Sealed);
        Assert.Null(row.Plain);
        Assert.Equal(lead.Id, Assert.Single((await Leads().ListAsync(tenant, NoFilter with { Query = "crawlspace" }, 10, null, default)).Items).Id);
        Assert.Equal(0, await services.Get<PersonalDataBackfill>().SealTenantAsync(tenant, default));
    }

    [Fact]
    public async Task The_address_is_sealed_column_by_column_and_read_back_whole()
    {
        var tenant = await TenantAsync();
        var lead = await CreateAddressedAsync(tenant, "addressed@example.com", "78701", "TX", "Austin", "US");

        var row = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.QuerySingleOrDefaultAsync<(byte[] PostalCode, byte[] State, byte[] City, byte[] Country, string? Plain)>(
            "SELECT postal_code_sealed, state_sealed, city_sealed, country_sealed, coalesce(plain_postal_code, plain_state, plain_city, plain_country) FROM leads WHERE id = @Id",
            new { lead.Id }), default);

        Assert.Null(row.Plain);
        Assert.DoesNotContain("78701", Encoding.UTF8.GetString(row.PostalCode), StringComparison.Ordinal);
        Assert.DoesNotContain("Austin", Encoding.UTF8.GetString(row.City), StringComparison.Ordinal);
        var read = (await Leads().GetAsync(tenant, lead.Id, false, default)).Value!;
        Assert.Equal(("78701", "TX", "Austin", "US"), (read.PostalCode, read.State, read.City, read.Country));
        Assert.Equal("Austin", Assert.Single((await Leads().ListAsync(tenant, NoFilter, 10, null, default)).Items).City);

        var changed = await Leads().UpdateAsync(Actor(tenant), lead.Id, new LeadUpdate(Input(null, null) with { FirstName = null, Source = null, City = "Round Rock" }, null), default);
        Assert.True(changed.Succeeded, changed.Problem?.ToString());
        Assert.Equal(("78701", "TX", "Round Rock", "US"), (changed.Value!.PostalCode, changed.Value.State, changed.Value.City, changed.Value.Country));
    }

    [Theory]
    [InlineData("city_sealed", "city")]
    [InlineData("postal_code_sealed", "postal_code")]
    public async Task An_address_part_moved_to_another_row_fails_authentication(string column, string field)
    {
        var tenant = await TenantAsync();
        var from = await CreateAddressedAsync(tenant, "from-address@example.com", "10001", "NY", "Manhattan", "US");
        var to = await CreateAddressedAsync(tenant, "to-address@example.com", "78701", "TX", "Austin", "US");

        await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            $"UPDATE leads SET {column} = (SELECT {column} FROM leads WHERE id = @From) WHERE id = @To", new { From = from.Id, To = to.Id }, scope.Transaction), default);

        var error = await Assert.ThrowsAsync<PersonalDataUnavailableException>(() => Leads().GetAsync(tenant, to.Id, false, default));
        Assert.Contains($"leads.{field} of {to.Id} does not authenticate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Manhattan", error.Message, StringComparison.Ordinal);
        Assert.Equal("Manhattan", (await Leads().GetAsync(tenant, from.Id, false, default)).Value!.City);
    }

    [Fact]
    public async Task An_address_the_backfill_has_not_sealed_yet_reads_as_it_stands_and_the_next_change_seals_it()
    {
        var tenant = await TenantAsync();
        var lead = await CreateAsync(tenant, "old-address@example.com", null);
        await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            "UPDATE leads SET plain_city = 'El Paso', plain_state = 'TX' WHERE id = @Id", new { lead.Id }, scope.Transaction), default);

        Assert.Equal(("El Paso", "TX"), ((await Leads().GetAsync(tenant, lead.Id, false, default)).Value!.City, (await Leads().GetAsync(tenant, lead.Id, false, default)).Value!.State));
        var changed = await Leads().UpdateAsync(Actor(tenant), lead.Id, new LeadUpdate(Input(null, null) with { FirstName = "Dane", Source = null }, null), default);
        Assert.True(changed.Succeeded, changed.Problem?.ToString());
        Assert.Equal(("El Paso", "TX"), (changed.Value!.City, changed.Value.State));

        var row = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.QuerySingleOrDefaultAsync<(byte[]? City, byte[]? StateIndex, string? Plain)>(
            "SELECT city_sealed, state_index, coalesce(plain_city, plain_state) FROM leads WHERE id = @Id", new { lead.Id }), default);
        Assert.NotNull(row.City);
        Assert.NotNull(row.StateIndex);
        Assert.Null(row.Plain);
        Assert.Equal(0, await services.Get<PersonalDataBackfill>().SealTenantAsync(tenant, default));
    }

    [Fact]
    public async Task Fairness_slices_by_state_and_postal_area_group_by_blind_index_and_show_the_plain_group()
    {
        var tenant = await TenantAsync();
        var austin = await CreateAddressedAsync(tenant, "slice-1@example.com", "78701", "TX", "Austin", "US");
        var dallas = await CreateAddressedAsync(tenant, "slice-2@example.com", "78702", "tx ", "Austin", "US");
        var tulsa = await CreateAddressedAsync(tenant, "slice-3@example.com", "74103", "OK", "Tulsa", "US");
        await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            "UPDATE leads SET score_tier = 'hot', score_value = 80, scored_at = now(), score_status = 'scored' WHERE id = ANY(@Ids)",
            new { Ids = new[] { austin.Id, dallas.Id, tulsa.Id } }, scope.Transaction), default);

        var governance = await services.Get<StreamFlow.Core.Scoring.Governance.ModelGovernanceService>().EvaluateAsync(tenant, ["state", "postalArea"], default);

        var byState = governance.Fairness.Single(f => f.Attribute == "state").Groups.ToDictionary(g => g.Group, g => g.Leads);
        Assert.Equal(new Dictionary<string, long> { ["TX"] = 2, ["OK"] = 1 }, byState);
        var byArea = governance.Fairness.Single(f => f.Attribute == "postalArea").Groups.ToDictionary(g => g.Group, g => g.Leads);
        Assert.Equal(new Dictionary<string, long> { ["787"] = 2, ["741"] = 1 }, byArea);
    }

    [Fact]
    public async Task An_email_moved_to_another_row_fails_authentication_with_a_clear_error()
    {
        var tenant = await TenantAsync();
        var from = await CreateAsync(tenant, "mover@example.com", null);
        var to = await CreateAsync(tenant, "target@example.com", null);

        await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            "UPDATE leads SET email_sealed = (SELECT email_sealed FROM leads WHERE id = @From) WHERE id = @To", new { From = from.Id, To = to.Id }, scope.Transaction), default);

        var error = await Assert.ThrowsAsync<PersonalDataUnavailableException>(() => Leads().GetAsync(tenant, to.Id, false, default));
        Assert.Contains($"leads.email of {to.Id} does not authenticate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("mover", error.Message, StringComparison.Ordinal);
        Assert.Equal("mover@example.com", (await Leads().GetAsync(tenant, from.Id, false, default)).Value!.Email);
    }

    [Fact]
    public async Task Tenant_As_keys_never_open_tenant_Bs_rows()
    {
        var tenantA = await TenantAsync();
        var tenantB = await TenantAsync();
        var lead = await CreateAsync(tenantB, "b-only@example.com", null);
        var sealedValue = await services.Get<StreamFlowDatabase>().InTenantAsync(tenantB,
            scope => scope.QuerySingleOrDefaultAsync<byte[]>("SELECT email_sealed FROM leads WHERE id = @Id", new { lead.Id }), default);
        var keysOfA = await services.Get<TenantKeyring>().ForTenantAsync(tenantA, default);

        Assert.Throws<PersonalDataUnavailableException>(() => keysOfA.Open("leads", "email", lead.Id, sealedValue));
        Assert.NotEqual(keysOfA.Index("email", "b-only@example.com"), (await services.Get<TenantKeyring>().ForTenantAsync(tenantB, default)).Index("email", "b-only@example.com"));
    }

    [Fact]
    public async Task A_key_ring_without_the_key_that_wrapped_the_tenants_data_key_refuses_clearly()
    {
        var tenant = await TenantAsync();
        await CreateAsync(tenant, "wrong-key@example.com", null);
        var wrongRing = new TenantKeyring(services.Get<StreamFlowDatabase>(), LocalKeyRing.InMemory(("other", RandomNumberGenerator.GetBytes(32))),
            Options.Create(new PrivacyOptions()), TimeProvider.System);

        var error = await Assert.ThrowsAsync<PersonalDataUnavailableException>(() => wrongRing.ForTenantAsync(tenant, default));

        Assert.Contains("current data key (version 1) is unavailable", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not in the local key ring", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_totp_secret_is_stored_sealed_for_its_user()
    {
        var tenant = await TenantAsync();
        var owner = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant,
            scope => scope.QuerySingleOrDefaultAsync<Guid>("SELECT id FROM users WHERE role = 'owner'"), default);
        var keys = await services.Get<TenantKeyring>().ForTenantAsync(tenant, default);
        await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, async scope =>
        {
            await StreamFlow.Core.Identity.Clients.UserStore.SetMfaSecretAsync(scope, keys, owner, "JBSWY3DPEHPK3PXP", DateTimeOffset.UtcNow);
            return true;
        }, default);

        var stored = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.QuerySingleOrDefaultAsync<(byte[] Sealed, string? Plain)>(
            "SELECT mfa_secret_sealed, plain_mfa_secret FROM users WHERE id = @Id", new { Id = owner }), default);

        Assert.Null(stored.Plain);
        Assert.DoesNotContain("JBSWY3DPEHPK3PXP", Encoding.ASCII.GetString(stored.Sealed), StringComparison.Ordinal);
        Assert.Equal("JBSWY3DPEHPK3PXP", keys.Open("users", "mfa_secret", owner, stored.Sealed));
        Assert.Throws<PersonalDataUnavailableException>(() => keys.Open("users", "mfa_secret", Guid.NewGuid(), stored.Sealed));
    }

    [Fact]
    public async Task The_backfill_seals_plain_values_left_from_before_the_migration_and_a_second_run_finds_nothing()
    {
        var tenant = await TenantAsync();
        var id = Guid.CreateVersion7();
        await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync("""
            INSERT INTO leads (id, tenant_id, first_name, plain_email, plain_phone, plain_notes, plain_postal_code, plain_state, plain_city, plain_country,
                               stage, created_at, updated_at)
            VALUES (@Id, @TenantId, 'Legacy', 'legacy@example.com', '+15125550177', 'Legacy notes about the crawlspace', '73301', 'TX', 'Austin', 'US',
                    'new', now(), now());
            UPDATE users SET plain_mfa_secret = 'JBSWY3DPEHPK3PXP' WHERE role = 'owner';
            """, new { Id = id, TenantId = tenant }, scope.Transaction), default);
        var backfill = services.Get<PersonalDataBackfill>();

        Assert.Equal(2, await backfill.SealTenantAsync(tenant, default));
        Assert.Equal(0, await backfill.SealTenantAsync(tenant, default));

        var lead = (await Leads().GetAsync(tenant, id, false, default)).Value!;
        Assert.Equal(("legacy@example.com", "+15125550177", "Legacy notes about the crawlspace"), (lead.Email, lead.Phone, lead.Notes));
        Assert.Equal(("73301", "TX", "Austin", "US"), (lead.PostalCode, lead.State, lead.City, lead.Country));
        Assert.Equal(id, Assert.Single((await Leads().ListAsync(tenant, NoFilter with { Query = "crawlspace" }, 10, null, default)).Items).Id);
        Assert.Equal(id, Assert.Single((await Leads().ListAsync(tenant, NoFilter with { Email = "legacy@example.com" }, 10, null, default)).Items).Id);
        var plainLeft = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.QuerySingleOrDefaultAsync<long>(
            """
            SELECT (SELECT count(*) FROM leads WHERE plain_email IS NOT NULL OR plain_phone IS NOT NULL OR plain_notes IS NOT NULL OR plain_postal_code IS NOT NULL
                        OR plain_state IS NOT NULL OR plain_city IS NOT NULL OR plain_country IS NOT NULL)
                 + (SELECT count(*) FROM users WHERE plain_mfa_secret IS NOT NULL)
            """), default);
        Assert.Equal(0, plainLeft);
    }

    private LeadService Leads() => services.Get<LeadService>();

    private static LeadActor Actor(Guid tenant) => new(tenant, "test", true);

    private static LeadInput Input(string? email, string? phone) =>
        new("Dana", null, null, email, phone, "Reference", null, null, null, null, null, null, null, null, null);

    private async Task<Lead> CreateAsync(Guid tenant, string? email, string? phone, string? notes = null)
    {
        var created = await Leads().CreateAsync(Actor(tenant), Input(email, phone) with { Notes = notes }, mergeDuplicate: false, default);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        return created.Value.Lead;
    }

    private async Task<Lead> CreateAddressedAsync(Guid tenant, string email, string postalCode, string state, string city, string country)
    {
        var created = await Leads().CreateAsync(Actor(tenant), Input(email, null) with { PostalCode = postalCode, State = state, City = city, Country = country },
            mergeDuplicate: false, default);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        return created.Value.Lead;
    }

    private async Task<Guid> TenantAsync()
    {
        var slug = $"privacy-{Guid.NewGuid():N}"[..20];
        return (await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Privacy", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!.Tenant.Id;
    }
}
