using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Stripe;
using StreamFlow.Core.Billing.Stripe;

namespace StreamFlow.Core.Billing.Payments;

public static class PaymentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers invoice collection: Stripe as the <see cref="IInvoicePaymentGateway"/> when <c>Stripe:SecretKey</c> is set
    /// (otherwise AddBilling's email-only default stays), the Stripe webhook, provider payment actions and dunning.
    /// </summary>
    public static IServiceCollection AddBillingPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section));
        services.AddOptions<DunningOptions>().Bind(configuration.GetSection(DunningOptions.Section));
        if (configuration.GetSection(StripeOptions.Section).Get<StripeOptions>() is { CollectsInvoices: true })
        {
            services.TryAddSingleton(provider =>
            {
                var stripe = provider.GetRequiredService<IOptions<StripeOptions>>().Value;
                var http = new SystemNetHttpClient(
                    new HttpClient { Timeout = SystemNetHttpClient.DefaultHttpTimeout }, stripe.MaxNetworkRetries, enableTelemetry: false);
                return new StripeClient(stripe.SecretKey, httpClient: http, apiBase: string.IsNullOrWhiteSpace(stripe.ApiBase) ? null : stripe.ApiBase);
            });
            services.TryAddSingleton<StripeInvoicePayments>();
            services.TryAddSingleton<IInvoicePaymentGateway>(provider => provider.GetRequiredService<StripeInvoicePayments>());
            services.TryAddSingleton<IInvoiceCollectionSync>(provider => provider.GetRequiredService<StripeInvoicePayments>());
        }

        services.TryAddSingleton<IInvoiceCollectionSync, NoInvoiceCollectionSync>();
        services.AddSingleton<InvoicePaymentService>();
        services.AddSingleton<StripeWebhookService>();
        services.AddSingleton<DunningService>();
        return services;
    }
}
