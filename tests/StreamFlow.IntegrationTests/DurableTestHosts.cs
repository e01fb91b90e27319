using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace StreamFlow.IntegrationTests;

/// <summary>
/// DurableTaskTestHost picks a free port and then binds it, so a parallel test (or an end-to-end host) can take the
/// port in between. Starting again on a new port is the whole fix.
/// </summary>
internal static class DurableTestHosts
{
    public static async Task<DurableTaskTestHost> StartAsync(Action<DurableTaskRegistry> registry, DurableTaskTestHostOptions? options = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DurableTaskTestHost.StartAsync(registry, options);
            }
            catch (IOException exception) when (attempt < 5 && exception.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await Task.Delay(100 * attempt);
            }
        }
    }
}
