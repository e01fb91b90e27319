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
        return services;
    }
}
