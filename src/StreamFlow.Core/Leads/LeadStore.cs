using System.Text;
using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Privacy;

namespace StreamFlow.Core.Leads;

internal sealed record StoredLead
{
    public Guid Id { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    public string? Company { get; init; }

    /// <summary>Plain only in memory: stored sealed (<see cref="EmailSealed"/>) and found by <see cref="LeadStore.EmailIndex"/>.</summary>
    public string? Email { get; init; }

    public string? Phone { get; init; }

    public byte[]? EmailSealed { get; init; }

    public byte[]? PhoneSealed { get; init; }

    public byte[]? NotesSealed { get; init; }

    /// <summary>A note from before migration 0263 that the start-up backfill has not sealed yet; the next write seals it.</summary>
    public string? PlainNotes { get; init; }

    public byte[]? PostalCodeSealed { get; init; }

    public byte[]? StateSealed { get; init; }

    public byte[]? CitySealed { get; init; }

    public byte[]? CountrySealed { get; init; }

    /// <summary>Address parts from before migration 0271 that the start-up backfill has not sealed yet; the next write seals them.</summary>
    public string? PlainPostalCode { get; init; }

    public string? PlainState { get; init; }

    public string? PlainCity { get; init; }

    public string? PlainCountry { get; init; }

    public string? Source { get; init; }

    public string? ExternalId { get; init; }

    public string? PostalCode { get; init; }

    public string? State { get; init; }

    public string? City { get; init; }

    public string? Country { get; init; }

    /// <summary>Plain only in memory, like <see cref="Email"/>: stored sealed (<see cref="NotesSealed"/>) with a keyed term per word.</summary>
    public string? Notes { get; init; }

    public string Attributes { get; init; } = "{}";

    public Guid? OwnerUserId { get; init; }

    /// <summary>Read beside the id, never written.</summary>
    public string? OwnerName { get; init; }

    public string Stage { get; init; } = "";

    public string? Outcome { get; init; }

    public decimal? WonAmount { get; init; }

    public string? WonCurrency { get; init; }

    public string? LostReason { get; init; }

    public DateTimeOffset? OutcomeAt { get; init; }

    public string? Score { get; init; }

    public string ScoreStatus { get; init; } = "pending";

    public string? ScoreError { get; init; }

    public int Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>The lead with its sealed fields opened under the tenant's keys.</summary>
    /// <exception cref="PersonalDataUnavailableException">A sealed field's key is unavailable or the value does not authenticate.</exception>
    public StoredLead Opened(TenantKeys keys) => this with
    {
        Email = keys.Open(PersonalFields.LeadsTable, PersonalFields.Email, Id, EmailSealed),
        Phone = keys.Open(PersonalFields.LeadsTable, PersonalFields.Phone, Id, PhoneSealed),
        Notes = NotesSealed is null ? PlainNotes : keys.Open(PersonalFields.LeadsTable, PersonalFields.Notes, Id, NotesSealed),
        PostalCode = PostalCodeSealed is null ? PlainPostalCode : keys.Open(PersonalFields.LeadsTable, PersonalFields.PostalCode, Id, PostalCodeSealed),
        State = StateSealed is null ? PlainState : keys.Open(PersonalFields.LeadsTable, PersonalFields.State, Id, StateSealed),
        City = CitySealed is null ? PlainCity : keys.Open(PersonalFields.LeadsTable, PersonalFields.City, Id, CitySealed),
        Country = CountrySealed is null ? PlainCountry : keys.Open(PersonalFields.LeadsTable, PersonalFields.Country, Id, CountrySealed),
        PlainNotes = null, PlainPostalCode = null, PlainState = null, PlainCity = null, PlainCountry = null,
    };

    public Lead ToLead(TenantKeys keys) => Opened(keys).ToOpenedLead();

    private Lead ToOpenedLead() => new(
        Id, FirstName, LastName, Company, Email, Phone, Source, ExternalId, PostalCode, State, City, Country, Notes,
        JsonDocument.Parse(Attributes).RootElement.Clone(), OwnerUserId, OwnerName, Stage,
        Outcome is null ? null : new LeadOutcome(Outcome, WonAmount is { } amount ? Money.Of(amount, WonCurrency ?? "USD") : null, LostReason, OutcomeAt ?? UpdatedAt),
        Score is null ? null : JsonSerializer.Deserialize<LeadScore>(Score, StreamFlowJson.Options),
        ScoreStatus, ScoreError, Version, CreatedAt, UpdatedAt, DeletedAt);
}

/// <summary>The SQL of leads, their stage history and activity timeline.</summary>
internal static class LeadStore
{
    public const string Columns = """
        id AS Id, first_name AS FirstName, last_name AS LastName, company AS Company, email_sealed AS EmailSealed, phone_sealed AS PhoneSealed,
        source AS Source, external_id AS ExternalId, postal_code_sealed AS PostalCodeSealed, state_sealed AS StateSealed, city_sealed AS CitySealed,
        country_sealed AS CountrySealed, plain_postal_code AS PlainPostalCode, plain_state AS PlainState, plain_city AS PlainCity, plain_country AS PlainCountry,
        notes_sealed AS NotesSealed, plain_notes AS PlainNotes, attributes::text AS Attributes, owner_user_id AS OwnerUserId,
        (SELECT u.name FROM users AS u WHERE u.id = leads.owner_user_id) AS OwnerName, stage AS Stage, outcome AS Outcome,
        won_amount AS WonAmount, won_currency AS WonCurrency, lost_reason AS LostReason, outcome_at AS OutcomeAt,
        score::text AS Score, score_status AS ScoreStatus, score_error AS ScoreError, version AS Version,
        created_at AS CreatedAt, updated_at AS UpdatedAt, deleted_at AS DeletedAt
        """;

    private const string InsertSql = """
        INSERT INTO leads (id, tenant_id, first_name, last_name, company, email_sealed, phone_sealed, email_index, phone_index, personal_key_version,
                           source, external_id, postal_code_sealed, state_sealed, city_sealed, country_sealed, state_index, postal_area_index,
                           notes_sealed, notes_terms, attributes, owner_user_id, stage, created_at, updated_at)
        VALUES (@Id, @TenantId, @FirstName, @LastName, @Company, @EmailSealed, @PhoneSealed, @EmailIndex, @PhoneIndex, @KeyVersion,
                @Source, @ExternalId, @PostalCodeSealed, @StateSealed, @CitySealed, @CountrySealed, @StateIndex, @PostalAreaIndex, @NotesSealed, @NotesTerms, @Attributes::jsonb, @OwnerUserId, @Stage, @Now, @Now)
        """;

    private const string ByIdSql = $"SELECT {Columns} FROM leads WHERE id = @Id";

    private const string InsertReturningSql = $"{InsertSql} RETURNING {Columns}";

    private const string ByIdsSql = $"SELECT {Columns} FROM leads WHERE id = ANY(@Ids)";

    private const string ByIdForUpdateSql = $"SELECT {Columns} FROM leads WHERE id = @Id AND deleted_at IS NULL FOR UPDATE";

    private const string DuplicateSql = """
        SELECT id FROM leads
        WHERE deleted_at IS NULL AND ((@EmailIndex::bytea IS NOT NULL AND email_index = @EmailIndex) OR (@PhoneIndex::bytea IS NOT NULL AND phone_index = @PhoneIndex))
        LIMIT 1
        """;

    private const string UpdateSql = """
        UPDATE leads SET first_name = @FirstName, last_name = @LastName, company = @Company,
            email_sealed = @EmailSealed, phone_sealed = @PhoneSealed, email_index = @EmailIndex, phone_index = @PhoneIndex, personal_key_version = @KeyVersion,
            source = @Source, external_id = @ExternalId, postal_code_sealed = @PostalCodeSealed, state_sealed = @StateSealed, city_sealed = @CitySealed,
            country_sealed = @CountrySealed, state_index = @StateIndex, postal_area_index = @PostalAreaIndex,
            plain_postal_code = NULL, plain_state = NULL, plain_city = NULL, plain_country = NULL,
            notes_sealed = @NotesSealed, notes_terms = @NotesTerms, plain_notes = NULL, attributes = @Attributes::jsonb, owner_user_id = @OwnerUserId, stage = @Stage, outcome = @Outcome,
            won_amount = @WonAmount, won_currency = @WonCurrency, lost_reason = @LostReason, outcome_at = @OutcomeAt,
            score_status = CASE WHEN @Rescore THEN 'pending' ELSE score_status END,
            version = version + 1, updated_at = @Now
        WHERE id = @Id
        """;

    private const string UpdateReturningSql = $"{UpdateSql} RETURNING {Columns}";

    private const string SoftDeleteSql = "UPDATE leads SET deleted_at = @Now, updated_at = @Now, version = version + 1 WHERE id = @Id AND deleted_at IS NULL";

    private const string RestoreSql = "UPDATE leads SET deleted_at = NULL, updated_at = @Now, version = version + 1 WHERE id = @Id AND deleted_at IS NOT NULL";

    private const string StageHistorySql = """
        INSERT INTO lead_stage_history (tenant_id, lead_id, from_stage, to_stage, changed_by, changed_at)
        VALUES (@TenantId, @LeadId, @FromStage, @ToStage, @ChangedBy, @Now)
        """;

    private const string ActivitySql = """
        INSERT INTO lead_activities (id, tenant_id, lead_id, kind, body, actor, data, occurred_at)
        VALUES (@Id, @TenantId, @LeadId, @Kind, @Body, @Actor, @Data::jsonb, @Now)
        """;

    private const string ActivitiesSql = """
        SELECT id AS Id, kind AS Kind, body AS Body, actor AS Actor, actor_name(actor) AS ActorName, data::text AS Data, occurred_at AS OccurredAt
        FROM lead_activities WHERE lead_id = @LeadId AND (@Before IS NULL OR id < @Before)
        ORDER BY id DESC LIMIT @Limit
        """;

    private const string StageChangesSql = """
        SELECT from_stage AS FromStage, to_stage AS ToStage, changed_by AS ChangedBy, actor_name(changed_by) AS ChangedByName, changed_at AS ChangedAt
        FROM lead_stage_history WHERE lead_id = @LeadId ORDER BY id
        """;

    // A lead's owner must be an active user of the tenant (users are tenant rows: another tenant's id is not found).
    private const string ActiveUserSql = "SELECT EXISTS (SELECT 1 FROM users WHERE id = @Id AND status = 'active')";

    // Routing: each active user with their role, open leads and when they were last given one (the router keeps the
    // eligible roles), so that the read does not wait for the tenant's routing settings.
    private const string RoutingCandidatesSql = """
        SELECT u.id AS UserId, u.name AS Name, u.role AS Role,
               (SELECT count(*) FROM leads l WHERE l.owner_user_id = u.id AND l.deleted_at IS NULL AND l.outcome IS NULL) AS OpenLeads,
               (SELECT max(l.updated_at) FROM leads l WHERE l.owner_user_id = u.id) AS LastAssigned
        FROM users u
        WHERE u.status = 'active'
        """;

    private const string AssignSql = "UPDATE leads SET owner_user_id = @Owner WHERE id = @Id AND owner_user_id IS NULL";

    private const string AssignedActivitySql = """
        INSERT INTO lead_activities (id, tenant_id, lead_id, kind, body, actor, data, occurred_at)
        VALUES (@Id, @TenantId, @LeadId, 'assigned', NULL, 'streamflow', @Data::jsonb, @Now)
        """;

    private const string UserNameSql = "SELECT name FROM users WHERE id = @Id";

    // A batch of new leads in one statement: the rows are built (and their personal fields sealed) in C#, sent as arrays.
    private const string InsertManySql = """
        INSERT INTO leads (id, tenant_id, first_name, last_name, company, email_sealed, phone_sealed, email_index, phone_index, personal_key_version,
                           source, external_id, postal_code_sealed, state_sealed, city_sealed, country_sealed, state_index, postal_area_index,
                           notes_sealed, notes_terms, attributes, owner_user_id, stage, outcome, won_amount, won_currency, lost_reason, outcome_at, created_at, updated_at)
        SELECT x.id, @TenantId, x.first_name, x.last_name, x.company, x.email_sealed, x.phone_sealed, x.email_index, x.phone_index, x.key_version,
               x.source, x.external_id, x.postal_code_sealed, x.state_sealed, x.city_sealed, x.country_sealed, x.state_index, x.postal_area_index, x.notes_sealed, x.notes_terms::bigint[], x.attributes::jsonb, x.owner_user_id, x.stage,
               x.outcome, x.won_amount, x.won_currency, x.lost_reason, x.outcome_at, @Now, @Now
        FROM unnest(@Ids::uuid[], @FirstNames::text[], @LastNames::text[], @Companies::text[], @EmailSealed::bytea[], @PhoneSealed::bytea[],
                    @EmailIndexes::bytea[], @PhoneIndexes::bytea[], @KeyVersions::integer[], @Sources::text[], @ExternalIds::text[], @PostalCodesSealed::bytea[],
                    @StatesSealed::bytea[], @CitiesSealed::bytea[], @CountriesSealed::bytea[], @StateIndexes::bytea[], @PostalAreaIndexes::bytea[], @NotesSealed::bytea[], @NotesTerms::text[], @Attributes::text[], @Owners::uuid[], @Stages::text[],
                    @Outcomes::text[], @WonAmounts::numeric[], @WonCurrencies::text[], @LostReasons::text[], @OutcomeAts::timestamptz[])
            AS x (id, first_name, last_name, company, email_sealed, phone_sealed, email_index, phone_index, key_version, source, external_id, postal_code_sealed,
                  state_sealed, city_sealed, country_sealed, state_index, postal_area_index, notes_sealed, notes_terms, attributes, owner_user_id, stage, outcome, won_amount, won_currency, lost_reason, outcome_at)
        """;

    private const string StageHistoryManySql = """
        INSERT INTO lead_stage_history (tenant_id, lead_id, from_stage, to_stage, changed_by, changed_at)
        SELECT @TenantId, x.lead_id, x.from_stage, x.to_stage, @ChangedBy, @Now
        FROM unnest(@LeadIds::uuid[], @FromStages::text[], @ToStages::text[]) WITH ORDINALITY AS x (lead_id, from_stage, to_stage, n)
        ORDER BY x.n
        """;

    private const string ActivityManySql = """
        INSERT INTO lead_activities (id, tenant_id, lead_id, kind, body, actor, data, occurred_at)
        SELECT x.id, @TenantId, x.lead_id, x.kind, x.body, @Actor, x.data::jsonb, @Now
        FROM unnest(@Ids::uuid[], @LeadIds::uuid[], @Kinds::text[], @Bodies::text[], @Data::text[]) AS x (id, lead_id, kind, body, data)
        """;

    // Live leads holding any of these blind indexes: the duplicate check of a whole batch in one read.
    private const string DuplicatesSql = """
        SELECT id AS Id, email_index AS EmailIndex, phone_index AS PhoneIndex FROM leads
        WHERE deleted_at IS NULL AND (email_index = ANY(@EmailIndexes) OR phone_index = ANY(@PhoneIndexes))
        """;

    private const string ActiveUsersSql = "SELECT id FROM users WHERE id = ANY(@Ids) AND status = 'active'";

    private const string ByIdsForUpdateSql = $"SELECT {Columns} FROM leads WHERE id = ANY(@Ids) AND deleted_at IS NULL ORDER BY id FOR UPDATE";

    public static Task InsertAsync(DbTransactionScope scope, TenantKeys keys, StoredLead lead, DateTimeOffset now) =>
        scope.ExecuteAsync(InsertSql, InsertParameters(keys, lead, now));

    /// <summary>The insert, returning the row as stored; it rides with the scope's next round trip (await it after that).</summary>
    public static async Task<StoredLead> InsertLaterAsync(DbTransactionScope scope, TenantKeys keys, StoredLead lead, DateTimeOffset now) =>
        (await scope.QuerySingleOrDefaultLaterAsync<StoredLead>(InsertReturningSql, InsertParameters(keys, lead, now)))!;

    /// <summary>Many new leads (stage, outcome and all) in one statement; it rides with the scope's next round trip.</summary>
    public static Task InsertManyAsync(DbTransactionScope scope, TenantKeys keys, IReadOnlyList<StoredLead> leads, DateTimeOffset now)
    {
        var personal = leads.Select(lead => Seal(keys, lead)).ToArray();
        return scope.ExecuteAsync(InsertManySql, new
        {
            TenantId = keys.TenantId, Now = now,
            Ids = leads.Select(l => l.Id).ToArray(), FirstNames = leads.Select(l => l.FirstName).ToArray(), LastNames = leads.Select(l => l.LastName).ToArray(),
            Companies = leads.Select(l => l.Company).ToArray(), EmailSealed = personal.Select(s => s.EmailSealed).ToArray(),
            PhoneSealed = personal.Select(s => s.PhoneSealed).ToArray(), EmailIndexes = personal.Select(s => s.EmailIndex).ToArray(),
            PhoneIndexes = personal.Select(s => s.PhoneIndex).ToArray(), KeyVersions = personal.Select(s => s.KeyVersion).ToArray(),
            Sources = leads.Select(l => l.Source).ToArray(), ExternalIds = leads.Select(l => l.ExternalId).ToArray(),
            PostalCodesSealed = personal.Select(s => s.PostalCodeSealed).ToArray(), StatesSealed = personal.Select(s => s.StateSealed).ToArray(),
            CitiesSealed = personal.Select(s => s.CitySealed).ToArray(), CountriesSealed = personal.Select(s => s.CountrySealed).ToArray(),
            StateIndexes = personal.Select(s => s.StateIndex).ToArray(), PostalAreaIndexes = personal.Select(s => s.PostalAreaIndex).ToArray(), NotesSealed = personal.Select(s => s.NotesSealed).ToArray(),
            NotesTerms = personal.Select(s => s.NotesTerms is null ? null : "{" + string.Join(',', s.NotesTerms) + "}").ToArray(), Attributes = leads.Select(l => l.Attributes).ToArray(),
            Owners = leads.Select(l => l.OwnerUserId).ToArray(), Stages = leads.Select(l => l.Stage).ToArray(), Outcomes = leads.Select(l => l.Outcome).ToArray(),
            WonAmounts = leads.Select(l => l.WonAmount).ToArray(), WonCurrencies = leads.Select(l => l.WonCurrency).ToArray(),
            LostReasons = leads.Select(l => l.LostReason).ToArray(), OutcomeAts = leads.Select(l => l.OutcomeAt).ToArray(),
        });
    }

    /// <summary>Many stage changes by one actor at one time, in their order, in one statement.</summary>
    public static Task RecordStageChangesAsync(DbTransactionScope scope, Guid tenantId, IReadOnlyList<(Guid LeadId, string? FromStage, string ToStage)> changes, string actor, DateTimeOffset now) =>
        changes.Count == 0 ? Task.CompletedTask : scope.ExecuteAsync(StageHistoryManySql, new
        {
            TenantId = tenantId, ChangedBy = actor, Now = now, LeadIds = changes.Select(c => c.LeadId).ToArray(),
            FromStages = changes.Select(c => c.FromStage).ToArray(), ToStages = changes.Select(c => c.ToStage).ToArray(),
        });

    /// <summary>Many activities by one actor at one time, in one statement.</summary>
    public static Task RecordActivitiesAsync(DbTransactionScope scope, Guid tenantId, IReadOnlyList<(Guid LeadId, string Kind, string? Body, string DataJson)> activities, string actor, DateTimeOffset now) =>
        activities.Count == 0 ? Task.CompletedTask : scope.ExecuteAsync(ActivityManySql, new
        {
            TenantId = tenantId, Actor = actor, Now = now, Ids = activities.Select(_ => Guid.CreateVersion7()).ToArray(), LeadIds = activities.Select(a => a.LeadId).ToArray(),
            Kinds = activities.Select(a => a.Kind).ToArray(), Bodies = activities.Select(a => a.Body).ToArray(), Data = activities.Select(a => a.DataJson).ToArray(),
        });

    /// <summary>The live leads holding any of these blind indexes, riding with the scope's next round trip.</summary>
    public static async Task<IReadOnlyList<(Guid Id, byte[]? EmailIndex, byte[]? PhoneIndex)>> FindDuplicatesLaterAsync(DbTransactionScope scope, byte[][] emailIndexes, byte[][] phoneIndexes) =>
        (await scope.QueryLaterAsync<(Guid Id, byte[]? EmailIndex, byte[]? PhoneIndex)>(DuplicatesSql, new { EmailIndexes = emailIndexes, PhoneIndexes = phoneIndexes })).ToList();

    /// <summary>Which of these users are active users of the tenant, riding with the scope's next round trip.</summary>
    public static async Task<IReadOnlySet<Guid>> ActiveUsersLaterAsync(DbTransactionScope scope, Guid[] userIds) =>
        (await scope.QueryLaterAsync<Guid>(ActiveUsersSql, new { Ids = userIds })).ToHashSet();

    /// <summary>Many live leads locked for update (in id order, so that two batches never wait on each other in a circle), riding with the next round trip.</summary>
    public static async Task<IReadOnlyDictionary<Guid, StoredLead>> LockManyLaterAsync(DbTransactionScope scope, Guid[] ids) =>
        (await scope.QueryLaterAsync<StoredLead>(ByIdsForUpdateSql, new { Ids = ids })).ToDictionary(lead => lead.Id);

    private static object InsertParameters(TenantKeys keys, StoredLead lead, DateTimeOffset now)
    {
        var personal = Seal(keys, lead);
        return new
        {
            lead.Id, TenantId = keys.TenantId, lead.FirstName, lead.LastName, lead.Company, personal.EmailSealed, personal.PhoneSealed,
            personal.EmailIndex, personal.PhoneIndex, personal.KeyVersion, lead.Source, lead.ExternalId,
            personal.PostalCodeSealed, personal.StateSealed, personal.CitySealed, personal.CountrySealed, personal.StateIndex, personal.PostalAreaIndex,
            personal.NotesSealed, personal.NotesTerms, lead.Attributes, lead.OwnerUserId, lead.Stage, Now = now,
        };
    }

    /// <summary>The blind index of an email (lower-cased, trimmed) under the tenant's index key.</summary>
    public static byte[]? EmailIndex(TenantKeys keys, string? email) => keys.Index(PersonalFields.Email, LeadValidation.NormalizeEmail(email));

    /// <summary>The blind index of a phone number (digits with the leading + kept, as leads store it).</summary>
    public static byte[]? PhoneIndex(TenantKeys keys, string? phone) => keys.Index(PersonalFields.Phone, LeadValidation.NormalizePhone(phone));

    /// <summary>A lead's email, phone, notes and address as stored: sealed for this row under the current data key, with their blind indexes.</summary>
    public static SealedLeadFields Seal(TenantKeys keys, Guid id, string? email, string? phone, string? notes, LeadAddress? address = null) =>
        PersonalFields.SealLead(keys, id, LeadValidation.NormalizeEmail(email), LeadValidation.NormalizePhone(phone), notes, address);

    private static SealedLeadFields Seal(TenantKeys keys, StoredLead lead) =>
        Seal(keys, lead.Id, lead.Email, lead.Phone, lead.Notes, new LeadAddress(lead.PostalCode, lead.State, lead.City, lead.Country));

    public static Task<StoredLead?> FindAsync(DbTransactionScope scope, Guid id) =>
        scope.QuerySingleOrDefaultAsync<StoredLead>(ByIdSql, new { Id = id });

    public static async Task<IReadOnlyDictionary<Guid, StoredLead>> FindManyAsync(DbTransactionScope scope, Guid[] ids) =>
        (await scope.QueryAsync<StoredLead>(ByIdsSql, new { Ids = ids })).ToDictionary(lead => lead.Id);

    /// <summary>A read on its own: tenant setting and row in one round trip, no BEGIN/COMMIT of its own.</summary>
    public static Task<StoredLead?> FindAsync(StreamFlowDatabase database, Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        parameters.Add("Id", id);
        return database.InTenantBatchAsync(tenantId, ByIdSql, parameters, results => results.ReadSingleOrDefaultAsync<StoredLead>(), cancellationToken);
    }

    public static Task<string?> UserNameAsync(DbTransactionScope scope, Guid userId) =>
        scope.QuerySingleOrDefaultAsync<string?>(UserNameSql, new { Id = userId });

    public static Task<StoredLead?> LockAsync(DbTransactionScope scope, Guid id) =>
        scope.QuerySingleOrDefaultAsync<StoredLead>(ByIdForUpdateSql, new { Id = id });

    public static Task<Guid?> FindDuplicateAsync(DbTransactionScope scope, TenantKeys keys, string? email, string? phone) =>
        scope.QuerySingleOrDefaultAsync<Guid?>(DuplicateSql, new { EmailIndex = EmailIndex(keys, email), PhoneIndex = PhoneIndex(keys, phone) });

    /// <summary><see cref="FindDuplicateAsync"/> riding with the scope's next round trip.</summary>
    public static Task<Guid?> FindDuplicateLaterAsync(DbTransactionScope scope, TenantKeys keys, string? email, string? phone) =>
        scope.QuerySingleOrDefaultLaterAsync<Guid?>(DuplicateSql, new { EmailIndex = EmailIndex(keys, email), PhoneIndex = PhoneIndex(keys, phone) });

    /// <summary>The lock riding with the scope's next round trip (await it after that).</summary>
    public static Task<StoredLead?> LockLaterAsync(DbTransactionScope scope, Guid id) =>
        scope.QuerySingleOrDefaultLaterAsync<StoredLead>(ByIdForUpdateSql, new { Id = id });

    /// <summary>The update, returning the row as stored; it rides with the scope's next round trip (await it after that).</summary>
    public static async Task<StoredLead> UpdateLaterAsync(DbTransactionScope scope, TenantKeys keys, StoredLead lead, bool rescore, DateTimeOffset now) =>
        (await scope.QuerySingleOrDefaultLaterAsync<StoredLead>(UpdateReturningSql, UpdateParameters(keys, lead, rescore, now)))!;

    public static Task UpdateAsync(DbTransactionScope scope, TenantKeys keys, StoredLead lead, bool rescore, DateTimeOffset now) =>
        scope.ExecuteAsync(UpdateSql, UpdateParameters(keys, lead, rescore, now));

    private static object UpdateParameters(TenantKeys keys, StoredLead lead, bool rescore, DateTimeOffset now)
    {
        var personal = Seal(keys, lead);
        return new
        {
            lead.Id, lead.FirstName, lead.LastName, lead.Company, personal.EmailSealed, personal.PhoneSealed, personal.EmailIndex, personal.PhoneIndex,
            personal.KeyVersion, lead.Source, lead.ExternalId, personal.PostalCodeSealed, personal.StateSealed, personal.CitySealed, personal.CountrySealed,
            personal.StateIndex, personal.PostalAreaIndex, personal.NotesSealed, personal.NotesTerms, lead.Attributes, lead.OwnerUserId, lead.Stage, lead.Outcome, lead.WonAmount,
            lead.WonCurrency, lead.LostReason, lead.OutcomeAt, Rescore = rescore, Now = now,
        };
    }

    public static async Task<bool> SoftDeleteAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(SoftDeleteSql, new { Id = id, Now = now })) == 1;

    public static async Task<bool> RestoreAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(RestoreSql, new { Id = id, Now = now })) == 1;

    public static Task RecordStageChangeAsync(DbTransactionScope scope, Guid tenantId, Guid leadId, string? fromStage, string toStage, string actor, DateTimeOffset now) =>
        scope.ExecuteAsync(StageHistorySql, new { TenantId = tenantId, LeadId = leadId, FromStage = fromStage, ToStage = toStage, ChangedBy = actor, Now = now });

    public static Task RecordActivityAsync(DbTransactionScope scope, Guid tenantId, Guid leadId, string kind, string? body, string actor, string dataJson, DateTimeOffset now) =>
        scope.ExecuteAsync(ActivitySql, new { Id = Guid.CreateVersion7(), TenantId = tenantId, LeadId = leadId, Kind = kind, Body = body, Actor = actor, Data = dataJson, Now = now });

    public static async Task<IReadOnlyList<LeadActivity>> ActivitiesAsync(DbTransactionScope scope, Guid leadId, Guid? before, int limit) =>
        (await scope.Connection.QueryAsync<(Guid Id, string Kind, string? Body, string Actor, string? ActorName, string Data, DateTime OccurredAt)>(
            scope.Command(ActivitiesSql, new { LeadId = leadId, Before = before, Limit = limit })))
        .Select(r => new LeadActivity(r.Id, r.Kind, r.Body, r.Actor, r.ActorName, JsonDocument.Parse(r.Data).RootElement.Clone(), new DateTimeOffset(DateTime.SpecifyKind(r.OccurredAt, DateTimeKind.Utc))))
        .ToList();

    public static async Task<IReadOnlyList<StageChange>> StageChangesAsync(DbTransactionScope scope, Guid leadId) =>
        (await scope.Connection.QueryAsync<StageChange>(scope.Command(StageChangesSql, new { LeadId = leadId }))).ToList();

    /// <summary>Builds the list query from the filter; every value is a parameter, only fixed fragments are appended.</summary>
    public static async Task<IReadOnlyList<StoredLead>> PageAsync(DbTransactionScope scope, TenantKeys keys, LeadFilter filter, Guid? before, int limit)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM leads WHERE TRUE");
        var parameters = new DynamicParameters();
        void Where(string clause, string name, object? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(clause);
                parameters.Add(name, value);
            }
        }

        if (!filter.IncludeDeleted)
        {
            sql.Append(" AND deleted_at IS NULL");
        }

        Where("stage = @Stage", "Stage", filter.Stage);
        Where("score_tier = @Tier", "Tier", filter.Tier);
        Where("source = @Source", "Source", filter.Source);
        Where("owner_user_id = @Owner", "Owner", filter.OwnerUserId);
        Where("external_id = @ExternalId", "ExternalId", filter.ExternalId);
        Where("created_at >= @CreatedFrom", "CreatedFrom", filter.CreatedFrom);
        Where("created_at < @CreatedTo", "CreatedTo", filter.CreatedTo);
        Where("email_index = @EmailIndex", "EmailIndex", string.IsNullOrWhiteSpace(filter.Email) ? null : EmailIndex(keys, filter.Email));
        Where("phone_index = @PhoneIndex", "PhoneIndex", string.IsNullOrWhiteSpace(filter.Phone) ? null : PhoneIndex(keys, filter.Phone) ?? []);
        Where("id < @Before", "Before", before);
        if (!string.IsNullOrWhiteSpace(filter.Query))
        {
            // Email, phone and notes are sealed: the search finds email and phone by exact match through their blind
            // indexes, and notes holding every word of the query through their keyed word terms (never by substring).
            sql.Append(" AND (search_vector @@ websearch_to_tsquery('simple', @Query) OR search_text LIKE @Like ESCAPE '\\'");
            sql.Append(" OR email_index = @QueryEmailIndex OR phone_index = @QueryPhoneIndex");
            if (PersonalFields.NoteTerms(keys, filter.Query) is { } noteTerms)
            {
                sql.Append(" OR notes_terms @> @QueryNoteTerms");
                parameters.Add("QueryNoteTerms", noteTerms);
            }

            sql.Append(')');
            parameters.Add("QueryEmailIndex", EmailIndex(keys, filter.Query) ?? [], System.Data.DbType.Binary);
            parameters.Add("QueryPhoneIndex", PhoneIndex(keys, filter.Query) ?? [], System.Data.DbType.Binary);
            parameters.Add("Query", filter.Query);
            parameters.Add("Like", "%" + filter.Query.Trim().ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%");
        }

        sql.Append(" ORDER BY id DESC LIMIT @Limit");
        parameters.Add("Limit", limit);
        return (await scope.Connection.QueryAsync<StoredLead>(scope.Command(sql.ToString(), parameters))).ToList();
    }

    public static Task<bool> IsActiveUserAsync(DbTransactionScope scope, Guid userId) =>
        scope.ExecuteScalarAsync<bool>(ActiveUserSql, new { Id = userId });

    /// <summary><see cref="IsActiveUserAsync"/> riding with the scope's next round trip.</summary>
    public static Task<bool> IsActiveUserLaterAsync(DbTransactionScope scope, Guid userId) =>
        scope.QuerySingleOrDefaultLaterAsync<bool>(ActiveUserSql, new { Id = userId });

    public static async Task<List<LeadRouter.Candidate>> RoutingCandidatesAsync(DbTransactionScope scope) =>
        (await scope.QueryAsync<LeadRouter.Candidate>(RoutingCandidatesSql)).ToList();

    /// <summary><see cref="RoutingCandidatesAsync"/> riding with the scope's next round trip.</summary>
    public static async Task<List<LeadRouter.Candidate>> RoutingCandidatesLaterAsync(DbTransactionScope scope) =>
        (await scope.QueryLaterAsync<LeadRouter.Candidate>(RoutingCandidatesSql)).ToList();

    /// <summary>Gives an unowned lead its owner and records the assignment, in one round trip.</summary>
    public static Task AssignOwnerAsync(DbTransactionScope scope, Guid tenantId, Guid leadId, Guid owner, string dataJson, DateTimeOffset now) =>
        scope.ExecuteAsync(AssignSql + ";" + AssignedActivitySql.Replace("@Id", "@ActivityId", StringComparison.Ordinal), new
        {
            Id = leadId, Owner = owner, ActivityId = Guid.CreateVersion7(), TenantId = tenantId, LeadId = leadId, Data = dataJson, Now = now,
        });
}
