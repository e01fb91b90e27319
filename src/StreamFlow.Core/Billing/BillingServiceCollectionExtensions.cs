using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StreamFlow.Core.Billing;

public static class BillingServiceCollectionExtensions
{
    /// <summary>Registers billing: pricing, usage metering, the billing cycle, invoices and their collection.</summary>
    public static IServiceCollection AddBilling(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<IInvoicePaymentGateway, EmailOnlyInvoicePayments>();
        // The read side: the client's invoices and downloads, the provider's lists, export and monetization console.
        services.AddSingleton<ClientInvoiceService>();
        services.AddSingleton<ProviderInvoiceService>();
        services.AddSingleton<MonetizationConsoleService>();
        return services;
    }
}
