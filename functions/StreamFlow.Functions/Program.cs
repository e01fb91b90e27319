using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using StreamFlow.Core.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<RequestPipelineMiddleware>();
builder.Services.AddStreamFlowFunctions(builder.Configuration);
// One JSON shape for bindings and durable payloads, the same as the standalone host's data converter.
builder.Services.Configure<WorkerOptions>(worker => worker.Serializer = new JsonObjectSerializer(StreamFlowJson.Options));
builder.Build().Run();

// Keeps ASP.NET Core's generator from emitting a public Program that clashes in projects referencing this one.
internal partial class Program;
