using System.Globalization;
using System.Text;

namespace StreamFlow.Core.Reports;

/// <summary>
/// The report's numbers as CSV (RFC 4180, UTF-8): one <c>section,metric,key,value</c> row per number, so that a
/// spreadsheet or a script reads every figure without knowing the email's layout.
/// </summary>
internal static class ReportCsv
{
    public const string Header = "section,metric,key,value";

    public static byte[] Write(ReportSummary report)
    {
        var csv = new StringBuilder().Append(Header).Append("\r\n");
        void Row(string section, string metric, string? key, object? value) =>
            csv.Append(Field(section)).Append(',').Append(Field(metric)).Append(',').Append(Field(key)).Append(',').Append(Field(Format(value))).Append("\r\n");

        Row("period", "kind", null, ReportPeriod.Name(report.Period.Kind));
        Row("period", "start", null, report.Period.Start);
        Row("period", "end", null, report.Period.End);
        Row("period", "time_zone", null, report.Period.TimeZone);
        Row("period", "generated_at", null, report.GeneratedAt);
        Row("new_leads", "total", null, report.NewLeads.Total);
        Row("new_leads", "previous_total", null, report.NewLeads.PreviousTotal);
        foreach (var source in report.NewLeads.BySource)
        {
            Row("new_leads_by_source", "count", source.Source, source.Count);
            Row("new_leads_by_source", "previous_count", source.Source, source.PreviousCount);
        }

        Row("tiers", "hot", null, report.Tiers.Hot);
        Row("tiers", "warm", null, report.Tiers.Warm);
        Row("tiers", "cold", null, report.Tiers.Cold);
        Row("tiers", "unscored", null, report.Tiers.Unscored);
        Row("conversion", "won", null, report.Conversion.Won);
        Row("conversion", "lost", null, report.Conversion.Lost);
        Row("conversion", "rate", null, report.Conversion.Rate);
        Row("conversion", "previous_won", null, report.Conversion.PreviousWon);
        Row("conversion", "previous_lost", null, report.Conversion.PreviousLost);
        Row("conversion", "previous_rate", null, report.Conversion.PreviousRate);
        Row("won_revenue", "amount", report.WonRevenue.Amount.Currency, report.WonRevenue.Amount.Amount);
        Row("won_revenue", "previous_amount", report.WonRevenue.PreviousAmount.Currency, report.WonRevenue.PreviousAmount.Amount);
        foreach (var other in report.WonRevenue.OtherCurrencies)
        {
            Row("won_revenue", "other_currency_amount", other.Currency, other.Amount);
        }

        foreach (var stage in report.Pipeline.Stages)
        {
            Row("pipeline", "count", stage.Key, stage.Count);
            if (stage.RealizedValue is { } realized)
            {
                Row("pipeline", "realized_value", stage.Key, realized.Amount);
            }

            if (stage.EstimatedValue is { } estimated)
            {
                Row("pipeline", "estimated_value", stage.Key, estimated.Amount);
                Row("pipeline", "estimated_count", stage.Key, stage.EstimatedCount);
            }
        }

        Row("pipeline", "open_leads", null, report.Pipeline.OpenLeads);
        Row("pipeline", "open_estimated_value", report.Pipeline.OpenEstimatedValue.Currency, report.Pipeline.OpenEstimatedValue.Amount);
        Row("stale_hot_leads", "count", null, report.StaleHotLeads.Count);
        foreach (var lead in report.StaleHotLeads.Leads)
        {
            Row("stale_hot_lead", "name", lead.Id.ToString(), lead.Name);
        }

        Row("response_time", "new_leads", null, report.ResponseTime.NewLeads);
        Row("response_time", "responded", null, report.ResponseTime.Responded);
        Row("response_time", "average_hours", null, report.ResponseTime.AverageHours);
        Row("response_time", "previous_average_hours", null, report.ResponseTime.PreviousAverageHours);
        Row("ai_spend", "available", null, report.AiSpend.Available);
        Row("ai_spend", "spent", report.AiSpend.Spent?.Currency, report.AiSpend.Spent?.Amount);
        Row("ai_spend", "budget", report.AiSpend.Budget?.Currency, report.AiSpend.Budget?.Amount);
        Row("forecast", "method", null, report.Forecast.Method);
        Row("forecast", "history_days", null, report.Forecast.HistoryDays);
        Row("forecast", "total", report.Currency, report.Forecast.Total);
        foreach (var point in report.Forecast.Daily)
        {
            Row("forecast", "day", point.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), point.Amount);
        }

        foreach (var connection in report.Connections ?? [])
        {
            Row("connections", "health", connection.Name, connection.Health);
            Row("connections", "last_success_at", connection.Name, connection.LastSuccessAt);
            Row("connections", "lag_seconds", connection.Name, connection.LagSeconds);
            Row("connections", "consecutive_failures", connection.Name, connection.ConsecutiveFailures);
        }

        if (report.FieldWork is { } field)
        {
            Row("field_work", "visits_completed", null, field.VisitsCompleted);
            Row("field_work", "visits_reported_late", null, field.VisitsReportedLate);
            Row("field_work", "on_time_rate", null, field.OnTimeRate);
            Row("field_work", "quotes_sent", null, field.QuotesSent);
            Row("field_work", "quoted_value", field.QuotedValue.Currency, field.QuotedValue.Amount);
            Row("field_work", "quotes_approved", null, field.QuotesApproved);
            Row("field_work", "approved_value", field.ApprovedValue.Currency, field.ApprovedValue.Amount);
            Row("field_work", "arrivals", null, field.Arrivals);
            Row("field_work", "on_time_arrivals", null, field.OnTimeArrivals);
            Row("field_work", "on_time_arrival_rate", null, field.OnTimeArrivalRate);
            foreach (var technician in field.Technicians ?? [])
            {
                Row("field_work", "technician_visits", technician.Name, technician.Visits);
                Row("field_work", "technician_visit_hours", technician.Name, technician.VisitHours);
                Row("field_work", "technician_working_hours", technician.Name, technician.WorkingHours);
                Row("field_work", "technician_utilisation", technician.Name, technician.Utilisation);
                Row("field_work", "technician_on_time_arrival_rate", technician.Name, technician.OnTimeArrivalRate);
            }
        }

        if (report.ModelHealth is { } model)
        {
            Row("model_health", "model_version", null, model.ModelVersion);
            Row("model_health", "validation_auc", null, model.ValidationAuc);
            Row("model_health", "live_outcomes", null, model.LiveOutcomes);
            Row("model_health", "live_auc", null, model.LiveAuc);
            Row("model_health", "drifting_features", null, string.Join(" ", model.DriftingFeatures));
            Row("model_health", "retrain_recommended", null, model.RetrainRecommended);
        }

        if (report.Insight is { } insight)
        {
            Row("insight", "top_source_won_revenue", insight.TopSource?.Source, insight.TopSource?.WonRevenue);
            Row("insight", "weakest_source_conversion", insight.WeakestSource?.Source, insight.WeakestSource?.Conversion);
            Row("insight", "top_owner_won_revenue", insight.TopOwner?.OwnerName, insight.TopOwner?.WonRevenue);
            Row("insight", "slowest_stage_median_days", insight.SlowestStage?.Name, insight.SlowestStage?.MedianDays);
            Row("insight", "forecast_mean_error_percent", null, insight.ForecastError);
        }

        foreach (var figure in report.Peers?.Figures ?? [])
        {
            Row("peers", "value", figure.Figure, figure.Value);
            Row("peers", "percentile_rank", figure.Figure, figure.PercentileRank);
            Row("peers", "cohort_median", figure.Figure, figure.Median);
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Field(string? value)
    {
        value ??= "";
        // Text a spreadsheet would run as a formula (lead names and sources are user input) is kept as text.
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
