using System.Globalization;
using Dapper;
using StreamFlow.Core.Reports;
using StreamFlow.IntegrationTests.Reports;

namespace StreamFlow.IntegrationTests.FieldOps;

/// <summary>
/// The owner's report's Field work section on a Chicago business's Tuesday 24 November 2026 (06:00Z to 06:00Z): technician
/// utilisation from booked and measured visit hours over working hours, and arrivals inside their windows.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class FieldWorkReportTests(TestServices services) : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 11, 24);
    private readonly ReportTestBed _bed = new(services, new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private ReportSummary _report = null!;

    public async Task InitializeAsync()
    {
        var (tenantId, _) = await _bed.CreateTenantAsync("America/Chicago");
        await _bed.Database.InTenantAsync(tenantId, async scope =>
        {
            var job = Guid.CreateVersion7();
            await scope.Connection.ExecuteAsync(scope.Command("""
                INSERT INTO jobs (id, tenant_id, customer_name, title, address, latitude, longitude, created_at, updated_at)
                VALUES (@Id, @TenantId, 'Rita Customer', 'Furnace tune-up', '1 Main St', 41.88, -87.63, now(), now())
                """, new { Id = job, TenantId = tenantId }));
            // Ann works 08:00-17:00 (9 h); Bo 08:00-12:00 with 10:00-11:00 off (3 h); Cy is retired and had no visit.
            var ann = await TechnicianAsync(scope, tenantId, "Ann", 8, 17, active: true);
            var bo = await TechnicianAsync(scope, tenantId, "Bo", 8, 12, active: true);
            await TechnicianAsync(scope, tenantId, "Cy", 8, 17, active: false);
            await scope.Connection.ExecuteAsync(scope.Command("""
                INSERT INTO technician_time_off (id, tenant_id, technician_id, starts_at, ends_at, created_by, created_at)
                VALUES (@Id, @TenantId, @Bo, '2026-11-24T16:00:00Z', '2026-11-24T17:00:00Z', 'test', now())
                """, new { Id = Guid.CreateVersion7(), TenantId = tenantId, Bo = bo }));

            // Ann: 09:00-10:00 local, 2 h booked, on site 09:30 and timed 09:30-11:00 (1.5 h); 13:00-14:00, 1 h booked, on site 14:30 (late).
            var first = await VisitAsync(scope, tenantId, job, ann, "2026-11-24T15:00:00Z", 120, "completed", "2026-11-24T15:30:00Z");
            await PunchAsync(scope, tenantId, ann, first, "visitStart", "2026-11-24T15:30:00Z");
            await PunchAsync(scope, tenantId, ann, first, "visitEnd", "2026-11-24T17:00:00Z");
            await VisitAsync(scope, tenantId, job, ann, "2026-11-24T19:00:00Z", 60, "completed", "2026-11-24T20:30:00Z");
            // Bo: 08:00-09:00 local, 1.5 h booked, never marked on site but timed 08:20-09:20 (arrived on time, 1 h measured);
            // a cancelled visit and one the next local day are not counted.
            var third = await VisitAsync(scope, tenantId, job, bo, "2026-11-24T14:00:00Z", 90, "completed", null);
            await PunchAsync(scope, tenantId, bo, third, "visitStart", "2026-11-24T14:20:00Z");
            await PunchAsync(scope, tenantId, bo, third, "visitEnd", "2026-11-24T15:20:00Z");
            await VisitAsync(scope, tenantId, job, bo, "2026-11-24T17:00:00Z", 60, "cancelled", null);
            await VisitAsync(scope, tenantId, job, bo, "2026-11-25T14:00:00Z", 60, "scheduled", null);
            return true;
        }, CancellationToken.None);

        _report = await _bed.Get<ReportGenerator>().GenerateAsync(tenantId, ReportPeriodKind.Day, Day, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _bed.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Utilisation_is_measured_or_booked_visit_hours_over_working_hours_per_technician()
    {
        var field = Assert.IsType<FieldWorkReport>(_report.FieldWork);
        var technicians = field.Technicians!.ToDictionary(t => t.Name);

        Assert.Equal(["Ann", "Bo"], technicians.Keys.Order());
        // Ann: 1.5 h measured + 1 h booked = 2.5 of 9 h; Bo: 1 h measured of 3 h.
        Assert.Equal((2, 3.0, 1.5, 2.5, 9.0, (double?)0.278), Figures(technicians["Ann"]));
        Assert.Equal((1, 1.5, 1.0, 1.0, 3.0, (double?)0.333), Figures(technicians["Bo"]));
    }

    [Fact]
    public void On_time_arrival_is_the_on_site_time_or_first_visit_timer_inside_the_window()
    {
        var field = Assert.IsType<FieldWorkReport>(_report.FieldWork);

        Assert.Equal((3, 2, (double?)0.667), (field.Arrivals, field.OnTimeArrivals, field.OnTimeArrivalRate));
        var ann = field.Technicians!.Single(t => t.Name == "Ann");
        Assert.Equal((2, 1, (double?)0.5), (ann.Arrivals, ann.OnTimeArrivals, ann.OnTimeArrivalRate));
    }

    [Fact]
    public async Task The_mailed_report_and_its_csv_carry_utilisation_and_on_time_arrival()
    {
        var rendered = await new ReportRenderer().RenderAsync(_report, CancellationToken.None);
        var csv = System.Text.Encoding.UTF8.GetString(rendered.Csv);

        Assert.Contains("2 of 3 arrivals inside their window (66.7%)", rendered.Text, StringComparison.Ordinal);
        Assert.Contains("Ann: 2.5 of 9 working hours on visits (utilisation 27.8%), 1 of 2 arrivals on time", rendered.Text, StringComparison.Ordinal);
        Assert.Contains("field_work,on_time_arrival_rate,,0.667", csv, StringComparison.Ordinal);
        Assert.Contains("field_work,technician_utilisation,Bo,0.333", csv, StringComparison.Ordinal);
        Assert.Contains("field_work,technician_working_hours,Ann,9", csv, StringComparison.Ordinal);
    }

    private static (int, double, double, double, double, double?) Figures(Core.FieldOps.Reporting.TechnicianFieldWork t) =>
        (t.Visits, t.BookedHours, t.MeasuredHours, t.VisitHours, t.WorkingHours, t.Utilisation);

    private static async Task<Guid> TechnicianAsync(Core.Database.DbTransactionScope scope, Guid tenantId, string name, int from, int to, bool active)
    {
        var id = Guid.CreateVersion7();
        await scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO technicians (id, tenant_id, name, home_latitude, home_longitude, work_start_minute, work_end_minute, hourly_cost, currency,
                                     active, created_at, updated_at)
            VALUES (@Id, @TenantId, @Name, 41.88, -87.63, @From, @To, 40, 'USD', @Active, now(), now())
            """, new { Id = id, TenantId = tenantId, Name = name, From = from * 60, To = to * 60, Active = active }));
        return id;
    }

    private static async Task<Guid> VisitAsync(
        Core.Database.DbTransactionScope scope, Guid tenantId, Guid job, Guid technician, string windowStart, int minutes, string status, string? arrivedAt)
    {
        var id = Guid.CreateVersion7();
        var start = DateTimeOffset.Parse(windowStart, CultureInfo.InvariantCulture);
        DateTimeOffset? arrived = arrivedAt is null ? null : DateTimeOffset.Parse(arrivedAt, CultureInfo.InvariantCulture);
        await scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO visits (id, tenant_id, job_id, window_start, window_end, duration_minutes, required_skills, required_certifications,
                                status, created_at, updated_at, status_changed_at, arrived_at)
            VALUES (@Id, @TenantId, @Job, @Start, @End, @Minutes, '{}', '{}', @Status, @Start, @Start, @Start, @Arrived);
            INSERT INTO visit_assignments (tenant_id, visit_id, technician_id, assigned_by, assigned_at) VALUES (@TenantId, @Id, @Technician, 'test', @Start);
            """, new { Id = id, TenantId = tenantId, Job = job, Start = start, End = start.AddHours(1), Minutes = minutes, Status = status, Arrived = arrived, Technician = technician }));
        return id;
    }

    private static Task PunchAsync(Core.Database.DbTransactionScope scope, Guid tenantId, Guid technician, Guid visit, string kind, string at) =>
        scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO time_punches (tenant_id, punch_id, technician_id, kind, device_time, received_at, visit_id, outside_geofence)
            VALUES (@TenantId, @Id, @Technician, @Kind, @At::timestamptz, now(), @Visit, false)
            """, new { TenantId = tenantId, Id = Guid.NewGuid(), Technician = technician, Kind = kind, At = at, Visit = visit }));
}
