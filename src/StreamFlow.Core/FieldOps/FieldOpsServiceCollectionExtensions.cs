using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.FieldOps.Dispatch;
using StreamFlow.Core.FieldOps.Invoicing;
using StreamFlow.Core.FieldOps.Jobs;
using StreamFlow.Core.FieldOps.Quotes;
using StreamFlow.Core.FieldOps.Records;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.FieldOps.TimeClock;

namespace StreamFlow.Core.FieldOps;

public static class FieldOpsServiceCollectionExtensions
{
    public static IServiceCollection AddFieldOps(this IServiceCollection services)
    {
        services.AddSingleton<FieldOpsSettingsService>();
        services.AddSingleton<TechnicianService>();
        services.AddSingleton<JobService>();
        services.AddSingleton<VisitService>();
        services.AddSingleton<DispatchService>();
        services.AddSingleton<TimeClockService>();
        services.AddSingleton<TimesheetService>();
        services.AddSingleton<QuoteService>();
        services.AddSingleton<QuoteDepositService>();
        services.AddSingleton<VisitRecordService>();
        services.AddSingleton<CustomerInvoiceService>();
        services.AddSingleton<CustomerInvoiceReminderService>();
        services.AddSingleton<TimeOffService>();
        services.AddSingleton<FieldNotifier>();
        return services;
    }
}
