using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StreamFlow.Core.Billing.Payments;

namespace StreamFlow.Core.Billing;

public static class BillingServiceCollectionExtensions
{
    /// <summary>Registers billing: pricing, usage metering, the billing cycle, invoices and their collection.</summary>
    public static IServiceCollection AddBilling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBillingPayments(configuration);
        services.TryAddSingleton<IInvoicePaymentGateway, EmailOnlyInvoicePayments>();
        services.AddOptions<BillingOptions>().Bind(configuration.GetSection(BillingOptions.Section));
        services.AddSingleton<Pricing.BillingPlanService>();
        services.AddSingleton<Pricing.TenantPricingService>();
        services.AddSingleton<Metering.UsageMeter>();
        services.AddSingleton<Metering.UsageCollector>();
        services.AddSingleton<Cycle.InvoiceDocuments>();
        services.AddSingleton<Cycle.BillingCycleService>();
        // The read side: the client's invoices and downloads, the provider's lists, export and monetization console.
        services.AddSingleton<ClientInvoiceService>();
        services.AddSingleton<Credits.CreditNoteService>();
        services.AddSingleton<ProviderInvoiceService>();
        services.AddSingleton<MonetizationConsoleService>();
        return services;
    }
}
