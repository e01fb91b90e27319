using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using StreamFlow.Core.Database;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Standalone;
using StreamFlow.Standalone.Durable;
using StreamFlow.Standalone.Http;
using StreamFlow.Standalone.Timers;

// appsettings.json sits beside the dll; the process may be started from anywhere.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
var options = StandaloneOptions.From(builder.Configuration);
var catalog = FunctionCatalog.Load(typeof(FunctionsServiceCollectionExtensions).Assembly);

builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
    kestrel.Listen(System.Net.IPAddress.Loopback, options.Port, listen => listen.Protocols = HttpProtocols.Http1);
    // The gRPC sidecar speaks HTTP/2 without TLS, which needs a port of its own.
    kestrel.Listen(System.Net.IPAddress.Loopback, options.SidecarPort, listen => listen.Protocols = HttpProtocols.Http2);
});

builder.Services.AddStreamFlowFunctions(builder.Configuration);
builder.Services.AddStandaloneDurable(builder.Configuration, catalog);
builder.Services.AddSingleton<TimerRunner>();
builder.Services.AddHostedService<TimerScheduler>();
builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
{
    if (options.AllowedOrigins.Contains("*"))
    {
        policy.AllowAnyOrigin();
    }
    else
    {
        policy.WithOrigins(options.AllowedOrigins);
    }

    policy.AllowAnyHeader().AllowAnyMethod().WithExposedHeaders(RequestPipeline.CorrelationHeader, "Location", "Retry-After");
}));

var app = builder.Build();

if (args.Contains("migrate"))
{
    return StandaloneStartup.Migrate(app.Services);
}

if (options.MigrateOnStartup && StandaloneStartup.Migrate(app.Services) != 0)
{
    return 1;
}

await StandaloneStartup.PrepareDurableBackendAsync(app.Services);

var pipeline = app.Services.GetRequiredService<RequestPipeline>();
app.Use((context, next) => context.Connection.LocalPort == options.SidecarPort
    ? next(context)
    : pipeline.InvokeAsync(context, context.GetEndpoint()?.Metadata.GetMetadata<HttpFunction>()?.Method, () => next(context)));
app.UseCors();
app.MapGrpcService<TaskHubGrpcServer>().RequireHost($"*:{options.SidecarPort}");
app.MapAdminEndpoints();
app.MapFunctionEndpoints(catalog);

await app.RunAsync();
return 0;
